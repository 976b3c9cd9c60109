// C++17 RAII wrappers over every function of lmcore.h: handles freed by destructors, errors as
// lmcore::Error exceptions, two-call buffers and results turned into std::vector/std::string,
// callbacks as std::function. Header-only; link with -llmcore as for C.
// Tests/C/check_hpp.sh checks that every function the header declares is used here, and
// Tests/C/hpp_test.cpp exercises the wrapper on the bundled model.
#ifndef LMCORE_HPP
#define LMCORE_HPP

#include <lmcore.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lmcore {

class Error : public std::runtime_error {
public:
    Error(lmcore_status status, const char *message) : std::runtime_error(message), status_(status) {}
    lmcore_status status() const noexcept { return status_; }
    const char *status_name() const noexcept { return lmcore_status_name(status_); }

private:
    lmcore_status status_;
};

inline void check(lmcore_status status) {
    if (status != LMCORE_OK) throw Error(status, lmcore_last_error());
}

inline std::string version() { return lmcore_version(); }
inline int32_t abi_version() { return lmcore_abi_version(); }

/// Defaults of each parameter struct (struct_size set: change fields, never zero-initialise).
inline lmcore_model_params model_defaults() { return lmcore_model_default_params(); }
inline lmcore_generation_params generation_defaults() { return lmcore_generation_default_params(); }
inline lmcore_evaluation_params evaluation_defaults() { return lmcore_evaluation_default_params(); }

/// The same, written into an existing struct (the _by_ref forms, for storage you already have).
inline void reset(lmcore_model_params &p) { lmcore_model_default_params_by_ref(&p); }
inline void reset(lmcore_generation_params &p) { lmcore_generation_default_params_by_ref(&p); }
inline void reset(lmcore_evaluation_params &p) { lmcore_evaluation_default_params_by_ref(&p); }

/// Routes lmcore's diagnostics to `handler` (an empty function: stderr). level -1 keeps the
/// current level. The handler may be called from any thread lmcore runs on.
inline void set_log_handler(std::function<void(int32_t level, const std::string &message)> handler, int32_t level = -1) {
    static std::function<void(int32_t, const std::string &)> installed;
    if (!handler) {
        check(lmcore_set_log_callback(nullptr, nullptr, level));
        installed = nullptr;
        return;
    }
    installed = std::move(handler);
    check(lmcore_set_log_callback(
        [](int32_t lvl, const char *message, void *) { installed(lvl, message); }, nullptr, level));
}

struct Hypothesis {
    std::string text;  // empty for generate (ids only)
    std::vector<int32_t> ids;
    float score;
    std::vector<float> token_scores;  // with return_scores (and for score/score_text)
};

using Results = std::vector<std::vector<Hypothesis>>;

namespace detail {
struct ResultDeleter { void operator()(lmcore_result *r) const noexcept { lmcore_result_free(r); } };

inline Results read(lmcore_result *raw) {
    std::unique_ptr<lmcore_result, ResultDeleter> result(raw);
    Results out(lmcore_result_count(raw));
    for (size_t i = 0; i < out.size(); i++) {
        for (size_t j = 0; j < lmcore_result_hypothesis_count(raw, i); j++) {
            const int32_t *ids = nullptr;
            size_t n = 0;
            float score = 0;
            const float *scores = nullptr;
            size_t n_scores = 0;
            check(lmcore_result_ids(raw, i, j, &ids, &n));
            check(lmcore_result_score(raw, i, j, &score));
            check(lmcore_result_token_scores(raw, i, j, &scores, &n_scores));
            const char *text = lmcore_result_text(raw, i, j);
            out[i].push_back(Hypothesis{text ? text : "", std::vector<int32_t>(ids, ids + n), score,
                                        std::vector<float>(scores, scores + n_scores)});
        }
    }
    return out;
}

struct IdLists {
    std::vector<const int32_t *> pointers;
    std::vector<size_t> lengths;
    explicit IdLists(const std::vector<std::vector<int32_t>> &lists) {
        for (const auto &l : lists) {
            pointers.push_back(l.data());
            lengths.push_back(l.size());
        }
    }
};

inline std::vector<const char *> c_strings(const std::vector<std::string> &texts) {
    std::vector<const char *> out;
    for (const auto &t : texts) out.push_back(t.c_str());
    return out;
}
}  // namespace detail

/// A tokenizer: owned (loaded from a file or folder) or borrowed from a Model.
class Tokenizer {
public:
    explicit Tokenizer(const std::string &path) {
        lmcore_tokenizer *t = nullptr;
        check(lmcore_tokenizer_load(path.c_str(), &t));
        owned_.reset(t);
        tokenizer_ = t;
    }

    std::vector<int32_t> encode(const std::string &text, bool add_special_tokens = true) const {
        size_t n = 0;
        check(lmcore_tokenize(tokenizer_, text.c_str(), add_special_tokens, nullptr, 0, &n));
        std::vector<int32_t> ids(n);
        check(lmcore_tokenize(tokenizer_, text.c_str(), add_special_tokens, ids.data(), ids.size(), &n));
        return ids;
    }

    std::string decode(const std::vector<int32_t> &ids, bool skip_special_tokens = false) const {
        size_t length = 0;
        check(lmcore_detokenize(tokenizer_, ids.data(), ids.size(), skip_special_tokens, nullptr, 0, &length));
        std::string text(length + 1, '\0');
        check(lmcore_detokenize(tokenizer_, ids.data(), ids.size(), skip_special_tokens, text.data(), text.size(), &length));
        text.resize(length);
        return text;
    }

    size_t vocab_size() const noexcept { return lmcore_tokenizer_vocab_size(tokenizer_); }

    int32_t token_to_id(const std::string &token) const {
        int32_t id = 0;
        check(lmcore_tokenizer_token_to_id(tokenizer_, token.c_str(), &id));
        return id;
    }

    std::string id_to_token(int32_t id) const {
        size_t length = 0;
        check(lmcore_tokenizer_id_to_token(tokenizer_, id, nullptr, 0, &length));
        std::string token(length + 1, '\0');
        check(lmcore_tokenizer_id_to_token(tokenizer_, id, token.data(), token.size(), &length));
        token.resize(length);
        return token;
    }

    const lmcore_tokenizer *get() const noexcept { return tokenizer_; }

private:
    friend class Model;
    explicit Tokenizer(const lmcore_tokenizer *borrowed) : tokenizer_(borrowed) {}
    struct Deleter { void operator()(lmcore_tokenizer *t) const noexcept { lmcore_tokenizer_free(t); } };
    std::unique_ptr<lmcore_tokenizer, Deleter> owned_;
    const lmcore_tokenizer *tokenizer_ = nullptr;
};

class Model {
public:
    explicit Model(const std::string &path, lmcore_model_params params = model_defaults()) {
        lmcore_model *m = nullptr;
        check(lmcore_model_load(path.c_str(), &params, &m));
        model_.reset(m);
    }

    lmcore_model_info info() const {
        lmcore_model_info i;
        check(lmcore_model_get_info(model_.get(), &i));
        return i;
    }

    /// The model's tokenizer (borrowed: valid while this Model lives); throws if it has none.
    Tokenizer tokenizer() const {
        const lmcore_tokenizer *t = lmcore_model_tokenizer(model_.get());
        if (!t) throw Error(LMCORE_ERR_INVALID_ARGUMENT, "the model folder has no tokenizer");
        return Tokenizer(t);
    }

    /// Generation from ids (exactly the encoder input); per input its hypotheses, best first.
    Results generate(const std::vector<std::vector<int32_t>> &inputs,
                     lmcore_generation_params params = generation_defaults()) const {
        detail::IdLists lists(inputs);
        lmcore_result *r = nullptr;
        check(lmcore_generate(model_.get(), lists.pointers.data(), lists.lengths.data(), inputs.size(), &params, &r));
        return detail::read(r);
    }

    /// Text to text; `on_text` (optional) receives (input, piece) as the text becomes final.
    Results translate(const std::vector<std::string> &texts, lmcore_generation_params params = generation_defaults(),
                      std::function<bool(size_t input, const std::string &piece)> on_text = nullptr) const {
        auto pointers = detail::c_strings(texts);
        if (on_text) {
            params.text_callback = [](size_t input, size_t, const char *text, size_t length, void *user) -> int32_t {
                auto *f = static_cast<std::function<bool(size_t, const std::string &)> *>(user);
                return (*f)(input, std::string(text, length)) ? 1 : 0;
            };
            params.text_callback_user_data = &on_text;
        }
        lmcore_result *r = nullptr;
        check(lmcore_translate(model_.get(), pointers.data(), pointers.size(), &params, &r));
        return detail::read(r);
    }

    /// Teacher-forced log-likelihoods: per pair one Hypothesis (ids = target, score = total).
    Results score(const std::vector<std::vector<int32_t>> &sources, const std::vector<std::vector<int32_t>> &targets) const {
        detail::IdLists s(sources), t(targets);
        lmcore_result *r = nullptr;
        check(lmcore_score(model_.get(), s.pointers.data(), s.lengths.data(), t.pointers.data(), t.lengths.data(),
                           sources.size(), &r));
        return detail::read(r);
    }

    Results score_text(const std::vector<std::string> &sources, const std::vector<std::string> &targets) const {
        auto s = detail::c_strings(sources), t = detail::c_strings(targets);
        lmcore_result *r = nullptr;
        check(lmcore_score_text(model_.get(), s.data(), t.data(), sources.size(), &r));
        return detail::read(r);
    }

    /// Encoder outputs: pooled, n_inputs x d_model; else every token's state, inputs one after another.
    std::vector<float> encode(const std::vector<std::vector<int32_t>> &inputs, bool pooled = true) const {
        detail::IdLists lists(inputs);
        size_t n = 0;
        check(lmcore_encode(model_.get(), lists.pointers.data(), lists.lengths.data(), inputs.size(), pooled, nullptr, 0, &n));
        std::vector<float> out(n);
        check(lmcore_encode(model_.get(), lists.pointers.data(), lists.lengths.data(), inputs.size(), pooled, out.data(),
                            out.size(), &n));
        return out;
    }

    std::vector<float> encode_text(const std::vector<std::string> &texts, bool pooled = true) const {
        auto pointers = detail::c_strings(texts);
        size_t n = 0;
        check(lmcore_encode_text(model_.get(), pointers.data(), pointers.size(), pooled, nullptr, 0, &n));
        std::vector<float> out(n);
        check(lmcore_encode_text(model_.get(), pointers.data(), pointers.size(), pooled, out.data(), out.size(), &n));
        return out;
    }

    lmcore_model *get() const noexcept { return model_.get(); }

private:
    struct Deleter { void operator()(lmcore_model *m) const noexcept { lmcore_model_free(m); } };
    std::unique_ptr<lmcore_model, Deleter> model_;
};

/// BLEU/chrF/TER/ROUGE of hypotheses against one or more reference streams (sacrebleu's -r files).
class Evaluation {
public:
    Evaluation(const std::vector<std::string> &hypotheses, const std::vector<std::vector<std::string>> &references,
               lmcore_evaluation_params params = evaluation_defaults()) {
        auto hyps = detail::c_strings(hypotheses);
        std::vector<const char *> refs;
        for (const auto &stream : references)
            for (const auto &r : stream) refs.push_back(r.c_str());
        lmcore_evaluation *e = nullptr;
        check(lmcore_evaluate(hyps.data(), hypotheses.size(), refs.data(), references.size(), &params, &e));
        evaluation_.reset(e);
    }

    size_t metric_count() const noexcept { return lmcore_evaluation_metric_count(evaluation_.get()); }
    std::string name(size_t m) const { return text(lmcore_evaluation_metric_name(evaluation_.get(), m)); }
    std::string signature(size_t m) const { return text(lmcore_evaluation_signature(evaluation_.get(), m)); }
    std::string line(size_t m) const { return text(lmcore_evaluation_line(evaluation_.get(), m)); }

    double score(size_t m) const {
        double s = 0;
        check(lmcore_evaluation_score(evaluation_.get(), m, &s));
        return s;
    }

    /// Bootstrap mean and 95% half-width (NaN without bootstrap_samples).
    std::pair<double, double> interval(size_t m) const {
        double mean = 0, half = 0;
        check(lmcore_evaluation_interval(evaluation_.get(), m, &mean, &half));
        return {mean, half};
    }

    double sentence_score(size_t m, size_t i) const {
        double s = 0;
        check(lmcore_evaluation_sentence_score(evaluation_.get(), m, i, &s));
        return s;
    }

private:
    static std::string text(const char *s) {
        if (!s) throw Error(LMCORE_ERR_INVALID_ARGUMENT, "metric index out of range");
        return s;
    }
    struct Deleter { void operator()(lmcore_evaluation *e) const noexcept { lmcore_evaluation_free(e); } };
    std::unique_ptr<lmcore_evaluation, Deleter> evaluation_;
};

}  // namespace lmcore

#endif  // LMCORE_HPP
