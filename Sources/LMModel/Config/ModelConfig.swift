import LMTensor

/// Everything about an encoder-decoder checkpoint that changes the computation, in one place.
///
/// Architecture files (Architectures/) map a config.json to this; the layers read only this.
/// Field names follow transformers' configs where one exists.
package struct ModelConfig: Sendable, Equatable {
    /// How token positions enter the model.
    package enum Positions: Sendable, Equatable {
        /// Marian/Pegasus: a fixed sin|cos table (halves not interleaved), position = step.
        case sinusoidalMarian
        /// fairseq/M2M100: a fixed [sin, cos] table, positions offset by `paddingIndex + 1`,
        /// computed from non-pad tokens.
        case sinusoidalFairseq(paddingIndex: Int)
        /// BART/mBART: a learned table read at position + `offset` (2 for BART).
        case learned(offset: Int)
        /// T5: no absolute positions; a learned relative bias added to attention scores.
        case relativeBias(numBuckets: Int, maxDistance: Int)
        /// Recurrent models: order comes from the recurrence, no position limit.
        case recurrence
    }

    package enum Normalization: Sendable, Equatable {
        /// nn.LayerNorm with weight and bias.
        case layerNorm
        /// T5LayerNorm: RMS, weight only.
        case rmsNorm
    }

    /// Dimensions of one stack (encoder or decoder).
    package struct Stack: Sendable, Equatable {
        package var layers: Int
        package var heads: Int
        package var ffnDim: Int
        /// Per-head dimension (d_model / heads, or T5's d_kv).
        package var headDim: Int
        package var innerDim: Int { heads * headDim }

        package init(layers: Int, heads: Int, ffnDim: Int, headDim: Int) {
            self.layers = layers
            self.heads = heads
            self.ffnDim = ffnDim
            self.headDim = headDim
        }
    }

    package var modelType: String
    package var dModel: Int
    package var encoder: Stack
    package var decoder: Stack
    /// Rows of the encoder embedding table.
    package var vocabSize: Int
    /// Rows of the decoder embedding table and width of the logits.
    package var decoderVocabSize: Int
    package var activation: Activation
    /// T5 v1.1 "gated-gelu": act(wi_0·x) ⊙ (wi_1·x).
    package var gatedFeedForward: Bool
    package var normalization: Normalization
    package var normEpsilon: Float
    /// Pre-LN (normalize before each sublayer, mBART/Pegasus/M2M100/T5) or post-LN (Marian/BART).
    package var preNorm: Bool
    /// Multiplier of token embeddings (√d_model when scale_embedding).
    package var embedScale: Float
    package var positions: Positions
    /// max_position_embeddings: how many positions the model has (learned tables have
    /// `offset` more rows; fairseq positions are unbounded, the reference grows its table).
    package var maxPositions: Int
    /// BART/mBART: a layer norm right after embeddings.
    package var layernormEmbedding: Bool
    /// A layer norm after the last layer of each stack (pre-LN models).
    package var finalLayerNorm: Bool
    /// Whether attention scores are scaled by 1/√headDim (T5 folds it into its weights).
    package var scaleAttention: Bool
    /// Whether linear layers have biases (T5 has none).
    package var linearBias: Bool
    /// Marian/BART add a `final_logits_bias` buffer to the logits.
    package var finalLogitsBias: Bool
    /// Multiplier of the decoder output before the lm head (T5 with tied embeddings: d_model^-0.5).
    package var outputScale: Float
    /// Encoder and decoder share one token embedding table.
    package var sharedEmbeddings: Bool
    /// The lm head reuses the decoder token embeddings.
    package var tiedOutput: Bool

    package var padTokenId: Int
    package var eosTokenIds: [Int]
    package var bosTokenId: Int?
    package var decoderStartTokenId: Int
    /// The recurrent network of an rnn_seq2seq model; nil for the Transformers.
    package var recurrent: RecurrentConfig? = nil
    /// Storage of the decoder's weights (a load option, not a config.json field).
    package var computeType: ComputeType = .float32

    package init(modelType: String, dModel: Int, encoder: Stack, decoder: Stack, vocabSize: Int,
                decoderVocabSize: Int, activation: Activation, gatedFeedForward: Bool = false,
                normalization: Normalization = .layerNorm, normEpsilon: Float = 1e-5, preNorm: Bool,
                embedScale: Float, positions: Positions, maxPositions: Int, layernormEmbedding: Bool,
                finalLayerNorm: Bool, scaleAttention: Bool = true, linearBias: Bool = true,
                finalLogitsBias: Bool, outputScale: Float = 1, sharedEmbeddings: Bool, tiedOutput: Bool,
                padTokenId: Int, eosTokenIds: [Int], bosTokenId: Int?, decoderStartTokenId: Int) {
        self.modelType = modelType
        self.dModel = dModel
        self.encoder = encoder
        self.decoder = decoder
        self.vocabSize = vocabSize
        self.decoderVocabSize = decoderVocabSize
        self.activation = activation
        self.gatedFeedForward = gatedFeedForward
        self.normalization = normalization
        self.normEpsilon = normEpsilon
        self.preNorm = preNorm
        self.embedScale = embedScale
        self.positions = positions
        self.maxPositions = maxPositions
        self.layernormEmbedding = layernormEmbedding
        self.finalLayerNorm = finalLayerNorm
        self.scaleAttention = scaleAttention
        self.linearBias = linearBias
        self.finalLogitsBias = finalLogitsBias
        self.outputScale = outputScale
        self.sharedEmbeddings = sharedEmbeddings
        self.tiedOutput = tiedOutput
        self.padTokenId = padTokenId
        self.eosTokenIds = eosTokenIds
        self.bosTokenId = bosTokenId
        self.decoderStartTokenId = decoderStartTokenId
    }

    /// The longest input the position scheme allows (nil: unbounded, as relative bias and
    /// fairseq's on-demand sinusoidal table are).
    package var maxSourceLength: Int? {
        switch positions {
        case .relativeBias, .sinusoidalFairseq, .recurrence: return nil
        case .sinusoidalMarian, .learned: return maxPositions
        }
    }

    /// The longest decoder sequence (start token included) the position scheme allows.
    package var maxTargetLength: Int? { maxSourceLength }
}
