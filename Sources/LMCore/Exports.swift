// The parts of the lower modules that are part of LMCore's API: callers (the CLI, the C ABI,
// Swift users) import LMCore only.
import LMGeneration
import LMTokenizer

public typealias GenerationOptions = LMGeneration.GenerationOptions
public typealias EarlyStopping = LMGeneration.EarlyStopping
public typealias Hypothesis = LMGeneration.Hypothesis
public typealias TokenEvent = LMGeneration.TokenEvent
public typealias TokenCallback = LMGeneration.TokenCallback
public typealias SequenceScore = LMGeneration.SequenceScore
public typealias TextTokenizer = LMTokenizer.TextTokenizer
public typealias TokenEncoding = LMTokenizer.Encoding
