/// lmcore's version (the C ABI's lmcore_version() returns the same string).
public let version = "0.1.0"
