import LMCore

/// The languages a server offers and how each reaches the model: the model's own language tokens
/// (`Model.targetLanguages`) or, for a one-pair model, the codes the operator names (accepted and
/// not passed to the model). Sources are checked only when the operator lists them; lmcore has no
/// language detector, so `auto` reads the text as it is.
struct LanguageCatalog: Sendable {
    let targets: [String]
    let sources: [String]
    /// Whether target codes are passed to the model as `target_lang`.
    let modelHasLanguages: Bool

    init(model: Model, options: ServerOptions) throws(ServerError) {
        let own = model.targetLanguages
        if options.targetLanguages.isEmpty {
            targets = own
            modelHasLanguages = !own.isEmpty
        } else if own.isEmpty {
            targets = options.targetLanguages
            modelHasLanguages = false
        } else {
            let unknown = options.targetLanguages.filter { !own.contains($0) }
            guard unknown.isEmpty else {
                throw ServerError("target language \(unknown.joined(separator: ", ")) is not one of the model's: "
                    + own.joined(separator: " "))
            }
            targets = options.targetLanguages
            modelHasLanguages = true
        }
        sources = options.sourceLanguages
    }

    /// The `target_lang` to give the model for a client's target code.
    func modelLanguage(forTarget code: String) throws(APIError) -> String? {
        guard targets.contains(code) else {
            throw .badRequest(targets.isEmpty
                ? "\(code) is not supported (this model has no language tokens; start the server with --target-lang)"
                : "\(code) is not supported")
        }
        return modelHasLanguages ? code : nil
    }

    /// Checks a client's source code; returns the detected language to report for `auto`, if certain.
    func checkSource(_ code: String) throws(APIError) -> String? {
        if code == "auto" { return sources.count == 1 ? sources[0] : nil }
        guard sources.isEmpty || sources.contains(code) else { throw .badRequest("\(code) is not supported") }
        return nil
    }

    /// Every code a client may send as a source (for `GET /languages`).
    var listedSources: [String] { sources.isEmpty ? targets : sources }
}
