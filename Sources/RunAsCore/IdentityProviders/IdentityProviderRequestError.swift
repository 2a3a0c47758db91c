/// A request of an ``IdentityProviderSession`` that did not end in a response.
///
/// Messages name the URL without its query or fragment (they may carry codes, tokens or SAML
/// messages) and never a password or a cookie value.
public struct IdentityProviderRequestError: UserFacingError, Sendable, Equatable {
  /// What went wrong.
  public enum Code: Sendable, Equatable {
    /// The URL is not an absolute `http(s)` URL.
    case invalidURL
    /// The server could not be reached, or the connection broke.
    case unreachable
    /// No response within the request's time limit.
    case timedOut
    /// More redirects than the session allows, usually a loop.
    case tooManyRedirects
    /// A redirect to a URL that is neither `http(s)` nor where the request stops.
    case unsupportedRedirect
  }

  /// What went wrong.
  public let code: Code
  /// The URL concerned, query and fragment removed.
  public let url: String
  /// One line naming the problem and the URL.
  public let message: String
  /// What to do about it.
  public let hint: String?
  /// The transport's error, for ``Code/unreachable``.
  public let transportError: HTTPTransportError?

  init(code: Code, url: String, message: String, hint: String? = nil, transportError: HTTPTransportError? = nil) {
    self.code = code
    self.url = URLReference.redacted(url)
    self.message = message
    self.hint = hint
    self.transportError = transportError
  }

  static func invalidURL(_ url: String) -> Self {
    Self(
      code: .invalidURL, url: url, message: "cannot request \(URLReference.redacted(url)): not an http(s) URL",
      hint: "the identity provider URL must start with https:// (or http://)")
  }

  static func unreachable(_ url: String, _ error: HTTPTransportError) -> Self {
    let hint: String? =
      switch error.kind {
      case .hostNotFound: "check the host name in the identity provider URL"
      case .tlsFailure: "the provider's certificate was not accepted"
      case .connectionRefused: "is the identity provider running and reachable from here?"
      default: nil
      }
    return Self(
      code: .unreachable, url: url, message: "cannot reach \(URLReference.redacted(url)): \(error.detail)",
      hint: hint, transportError: error)
  }

  static func timedOut(_ url: String, after limit: Duration) -> Self {
    Self(
      code: .timedOut, url: url,
      message: "no response from \(URLReference.redacted(url)) within \(GoDuration.format(limit))",
      hint: "the identity provider is slow or unreachable")
  }

  static func unsupportedRedirect(from url: String, to location: String) -> Self {
    Self(
      code: .unsupportedRedirect, url: url,
      message:
        "\(URLReference.redacted(url)) redirected to \(URLReference.redacted(location)), which is not an http(s) URL")
  }

  /// Names the loop when the chain revisits a URL, else the start and the last stop.
  static func tooManyRedirects(_ hops: [IdentityProviderResponse.RedirectHop], limit: Int) -> Self {
    let chain =
      hops.map { URLReference.withoutFragment($0.url) } + [URLReference.withoutFragment(hops.last?.location ?? "")]
    let start = chain.first ?? ""
    let hint = "the provider keeps redirecting; often it did not accept the session's cookies"
    for (index, url) in chain.enumerated() {
      guard let repeated = chain[(index + 1)...].firstIndex(of: url) else { continue }
      let loop = chain[index...repeated].map(URLReference.redacted).joined(separator: " → ")
      let origin = index == 0 ? "" : " (reached from \(URLReference.redacted(start)))"
      return Self(code: .tooManyRedirects, url: start, message: "redirect loop: \(loop)\(origin)", hint: hint)
    }
    return Self(
      code: .tooManyRedirects, url: start,
      message:
        "more than \(limit) redirects from \(URLReference.redacted(start)), the last to \(URLReference.redacted(chain.last ?? ""))",
      hint: hint)
  }
}
