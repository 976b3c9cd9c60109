import COniguruma
public func onigVersion() -> String { String(cString: onig_version()) }
