// JSON output of the runtime-spec documents: pretty-printed with sorted keys
// so that files written by berth are stable and diffable; nil fields are
// omitted (synthesized Codable encodes optionals with encodeIfPresent).

extension Spec {
    /// `config.json` as `berth spec` writes it.
    public func encodedJSON() -> [UInt8] { prettyJSON(self) }
}

extension State {
    public func encodedJSON() -> [UInt8] { prettyJSON(self) }
}

extension Features {
    public func encodedJSON() -> [UInt8] { prettyJSON(self) }
}

private func prettyJSON(_ value: some Encodable) -> [UInt8] {
    // These models hold only strings, integers, booleans and containers of
    // them: encoding can only fail on non-finite floats, so it cannot here.
    guard let bytes = try? JSONText.encode(value, pretty: true) else {
        preconditionFailure("JSON encoding failed on a runtime-spec document")
    }
    return bytes
}
