/// An AWS client for one wire protocol (query, JSON 1.1, REST-JSON), built on an
/// ``AWSRequestExecutor``: the client encodes requests and decodes answers, the executor signs,
/// sends and retries.
///
/// The executor's settings read and write through the client, as `client.endpoint`,
/// `client.credentials = …` or `client.retryPolicy`.
@dynamicMemberLookup
public protocol AWSProtocolClient: Sendable {
  /// Signs, sends and retries the requests.
  var executor: AWSRequestExecutor { get set }
}

extension AWSProtocolClient {
  /// The executor's settings, as `client.endpoint` or `client.credentials = …`.
  public subscript<Value>(dynamicMember keyPath: WritableKeyPath<AWSRequestExecutor, Value>) -> Value {
    get { executor[keyPath: keyPath] }
    set { executor[keyPath: keyPath] = newValue }
  }
}
