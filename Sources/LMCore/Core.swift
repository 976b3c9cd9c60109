import LMTokenizer
import LMModel
import LMGeneration
import LMTensor
public func versionString() -> String { "0.1.0 blas=\(blasThreads()) onig=\(onigVersion())" }
import Foundation
public func decodeJSON(_ d: Data) throws -> [String: Int] { try JSONDecoder().decode([String: Int].self, from: d) }
