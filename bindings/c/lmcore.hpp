// Optional C++17 RAII wrappers over lmcore.h: handles freed by destructors, errors as
// lmcore::Error exceptions. Header-only; link with -llmcore as for C.
#ifndef LMCORE_HPP
#define LMCORE_HPP

#include <lmcore.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace lmcore {

class Error : public std::runtime_error {
public:
    Error(lmcore_status status, const char *message) : std::runtime_error(message), status_(status) {}
    lmcore_status status() const noexcept { return status_; }

private:
    lmcore_status status_;
};

inline void check(lmcore_status status) {
    if (status != LMCORE_OK) throw Error(status, lmcore_last_error());
}

struct ModelDeleter { void operator()(lmcore_model *m) const noexcept { lmcore_model_free(m); } };
struct ResultDeleter { void operator()(lmcore_result *r) const noexcept { lmcore_result_free(r); } };

/// A translation hypothesis.
struct Hypothesis {
    std::string text;
    std::vector<int32_t> ids;
    float score;
};

class Model {
public:
    explicit Model(const std::string &path, lmcore_model_params params = lmcore_model_default_params()) {
        lmcore_model *m = nullptr;
        check(lmcore_model_load(path.c_str(), &params, &m));
        model_.reset(m);
    }

    /// Translates each text; returns per input its hypotheses, best first.
    std::vector<std::vector<Hypothesis>> translate(const std::vector<std::string> &texts,
                                                   lmcore_generation_params params =
                                                       lmcore_generation_default_params()) const {
        std::vector<const char *> pointers;
        for (const auto &t : texts) pointers.push_back(t.c_str());
        lmcore_result *r = nullptr;
        check(lmcore_translate(model_.get(), pointers.data(), pointers.size(), &params, &r));
        std::unique_ptr<lmcore_result, ResultDeleter> result(r);
        std::vector<std::vector<Hypothesis>> out(lmcore_result_count(r));
        for (size_t i = 0; i < out.size(); i++) {
            for (size_t j = 0; j < lmcore_result_hypothesis_count(r, i); j++) {
                const int32_t *ids = nullptr;
                size_t n = 0;
                float score = 0;
                check(lmcore_result_ids(r, i, j, &ids, &n));
                check(lmcore_result_score(r, i, j, &score));
                const char *text = lmcore_result_text(r, i, j);
                out[i].push_back(Hypothesis{text ? text : "", std::vector<int32_t>(ids, ids + n), score});
            }
        }
        return out;
    }

    lmcore_model *get() const noexcept { return model_.get(); }

private:
    std::unique_ptr<lmcore_model, ModelDeleter> model_;
};

}  // namespace lmcore

#endif  // LMCORE_HPP
