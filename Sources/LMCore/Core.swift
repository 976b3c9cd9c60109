import LMTokenizer
import LMModel
import LMGeneration
import LMTensor
