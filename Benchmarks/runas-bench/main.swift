import Foundation
// Benchmarks of the engine's pure paths (run by `make bench` in a release build):
// parsing and resolving generated configs of growing size.
import RunAsCore

/// A config with `count` role profiles, each with a source profile and a few settings.
func generatedConfig(profiles count: Int) -> String {
  var text = "[default]\nregion = us-east-1\nmfa_serial = arn:aws:iam::111111111111:mfa/bench\n\n"
  text.reserveCapacity(count * 120)
  for index in 0..<count {
    text += """
      [profile role-\(index)]
      source_profile = default
      role_arn = arn:aws:iam::\(100_000_000_000 + index % 1000):role/team-\(index)
      region = eu-west-\(index % 3 + 1)
      credentials_duration = 45m

      """
  }
  return text
}

func median(_ values: [Duration]) -> Duration {
  let sorted = values.sorted()
  return sorted[sorted.count / 2]
}

func milliseconds(_ duration: Duration) -> String {
  let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
  return String(format: "%.2f", ms)
}

let clock = ContinuousClock()
print("| profiles | parse (ms) | resolve all (ms) | total (ms) | µs per profile |")
print("|---:|---:|---:|---:|---:|")
for count in [1_000, 10_000, 50_000] {
  let text = generatedConfig(profiles: count)
  var parseTimes: [Duration] = []
  var resolveTimes: [Duration] = []
  for _ in 0..<7 {
    var config: INIFile?
    parseTimes.append(
      clock.measure { config = try? INIFile(parsing: text, path: "/bench/config", stripsInlineComments: false) })
    guard let config else { fatalError("generated config did not parse") }
    let files = AWSConfigFiles(
      configPath: "/bench/config", credentialsPath: "/bench/credentials", config: config,
      credentials: try! INIFile(
        parsing: "[default]\naws_access_key_id = AKIA\naws_secret_access_key = x\n", path: "/bench/credentials",
        stripsInlineComments: true))
    let resolver = ProfileResolver(files: files, environment: [:])
    var resolved = 0
    resolveTimes.append(
      clock.measure {
        for name in resolver.profileNames where (try? resolver.resolve(name)) != nil { resolved += 1 }
      })
    precondition(resolved == count + 1, "resolved \(resolved) of \(count + 1)")
  }
  let parse = median(parseTimes)
  let resolve = median(resolveTimes)
  let total = parse + resolve
  let perProfile = Double(milliseconds(total))! * 1000 / Double(count)
  print(
    "| \(count) | \(milliseconds(parse)) | \(milliseconds(resolve)) | \(milliseconds(total)) | \(String(format: "%.2f", perProfile)) |"
  )
}
