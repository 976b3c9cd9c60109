// bindings/c/lmcore.hpp on the bundled model: every wrapper, against the C API's results.
#include <lmcore.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

static int failures = 0;
#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                     \
        }                                                                   \
    } while (0)

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s MODEL_DIR\n", argv[0]);
        return 2;
    }
    CHECK(lmcore::abi_version() == LMCORE_ABI_VERSION);
    CHECK(!lmcore::version().empty());

    std::vector<std::string> logged;
    lmcore::set_log_handler([&](int32_t, const std::string &m) { logged.push_back(m); }, LMCORE_LOG_INFO);
    lmcore::Model model(argv[1]);
    lmcore::set_log_handler(nullptr, LMCORE_LOG_WARNING);
    CHECK(!logged.empty() && logged[0].find("loaded") != std::string::npos);
    CHECK(std::string(model.info().model_type) == "marian");

    // translate, streaming, generate and the tokenizer agree.
    std::string streamed;
    auto out = model.translate({">>fr<< 4213"}, lmcore::generation_defaults(),
                               [&](size_t input, const std::string &piece) { streamed += piece; return input == 0; });
    CHECK(out.size() == 1 && out[0][0].text == "quatre mille deux cent treize");
    CHECK(streamed == out[0][0].text);
    auto tok = model.tokenizer();
    auto source = tok.encode(">>fr<< 4213");
    auto ids = model.generate({source});
    CHECK(ids[0][0].ids == out[0][0].ids);
    CHECK(tok.decode(ids[0][0].ids, true) == out[0][0].text);
    CHECK(tok.vocab_size() == 801);
    CHECK(tok.id_to_token(tok.token_to_id(">>fr<<")) == ">>fr<<");

    // target language and prefix through the ABI 3 fields.
    auto params = lmcore::generation_defaults();
    params.target_lang = "fr";
    CHECK(model.translate({"4213"}, params)[0][0].text == out[0][0].text);

    // score = score_text; encode sizes.
    auto scored = model.score({source}, {out[0][0].ids});
    auto scored_text = model.score_text({">>fr<< 4213"}, {out[0][0].text});
    CHECK(std::fabs(scored[0][0].score - scored_text[0][0].score) < 1e-4f);
    CHECK(scored[0][0].token_scores.size() == out[0][0].ids.size());
    CHECK(model.encode({source}).size() == 192);
    CHECK(model.encode({source}, false).size() == 192 * source.size());
    CHECK(model.encode_text({">>fr<< 4213"}).size() == 192);

    // evaluation
    lmcore::Evaluation e({"the cat sat on the mat"}, {{"the cat sat on the mat"}});
    CHECK(e.metric_count() == 3 && e.name(0) == "bleu" && std::fabs(e.score(0) - 100) < 1e-9);
    CHECK(!e.signature(0).empty() && e.line(0).find("BLEU") == 0);
    CHECK(std::isnan(e.interval(0).first));
    auto ep = lmcore::evaluation_defaults();
    ep.sentence_scores = 1;
    lmcore::Evaluation sentences({"the cat sat on the mat", "a dog"}, {{"the cat sat on the mat", "the dog"}}, ep);
    CHECK(std::fabs(sentences.sentence_score(0, 0) - 100) < 1e-9);

    // errors are exceptions with the status
    try {
        lmcore::Model missing("/nonexistent/model");
        CHECK(false);
    } catch (const lmcore::Error &error) {
        CHECK(error.status() == LMCORE_ERR_IO && std::string(error.status_name()) == "LMCORE_ERR_IO");
    }
    try {
        lmcore::Tokenizer bad("/nonexistent/tokenizer.json");
        CHECK(false);
    } catch (const lmcore::Error &) {
    }
    lmcore_generation_params reused = lmcore::generation_defaults();
    reused.beam_size = 7;
    lmcore::reset(reused);
    CHECK(reused.beam_size == -1 && reused.struct_size == sizeof(lmcore_generation_params));
    lmcore_model_params mp;
    lmcore::reset(mp);
    CHECK(mp.load_tokenizer == 1);
    lmcore_evaluation_params evp;
    lmcore::reset(evp);
    CHECK(evp.seed == 12345);
    if (failures) {
        std::fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    std::printf("ok: lmcore.hpp wrappers on the default model\n");
    return 0;
}
