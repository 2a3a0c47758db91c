public enum RunAsCore { public static let version = "0.1.0" }
