import CLMCore

/// Compile-time check that every @_cdecl export has exactly the type of its declaration in
/// include/lmcore.h (imported through the CLMCore module): `@_cdecl` itself checks nothing,
/// so without this a drifted signature would link and corrupt the caller's stack.
/// A missing line here is caught by Tests/C/check_exports.sh, which compares the header's
/// declarations with the library's exported symbols.
private func same<F>(_ header: F, _ export: F) {}

private func abiCheck() {
    same(CLMCore.lmcore_version, exported_lmcore_version)
    same(CLMCore.lmcore_abi_version, exported_lmcore_abi_version)
    same(CLMCore.lmcore_set_log_callback, exported_lmcore_set_log_callback)
    same(CLMCore.lmcore_status_name, exported_lmcore_status_name)
    same(CLMCore.lmcore_last_error, exported_lmcore_last_error)
    same(CLMCore.lmcore_model_default_params, exported_lmcore_model_default_params)
    same(CLMCore.lmcore_model_default_params_by_ref, exported_lmcore_model_default_params_by_ref)
    same(CLMCore.lmcore_model_load, exported_lmcore_model_load)
    same(CLMCore.lmcore_model_free, exported_lmcore_model_free)
    same(CLMCore.lmcore_model_get_info, exported_lmcore_model_get_info)
    same(CLMCore.lmcore_generation_default_params, exported_lmcore_generation_default_params)
    same(CLMCore.lmcore_generation_default_params_by_ref, exported_lmcore_generation_default_params_by_ref)
    same(CLMCore.lmcore_generate, exported_lmcore_generate)
    same(CLMCore.lmcore_result_count, exported_lmcore_result_count)
    same(CLMCore.lmcore_result_hypothesis_count, exported_lmcore_result_hypothesis_count)
    same(CLMCore.lmcore_result_ids, exported_lmcore_result_ids)
    same(CLMCore.lmcore_result_score, exported_lmcore_result_score)
    same(CLMCore.lmcore_result_free, exported_lmcore_result_free)
    same(CLMCore.lmcore_tokenizer_load, exported_lmcore_tokenizer_load)
    same(CLMCore.lmcore_tokenizer_free, exported_lmcore_tokenizer_free)
    same(CLMCore.lmcore_model_tokenizer, exported_lmcore_model_tokenizer)
    same(CLMCore.lmcore_tokenize, exported_lmcore_tokenize)
    same(CLMCore.lmcore_detokenize, exported_lmcore_detokenize)
    same(CLMCore.lmcore_tokenizer_vocab_size, exported_lmcore_tokenizer_vocab_size)
    same(CLMCore.lmcore_tokenizer_token_to_id, exported_lmcore_tokenizer_token_to_id)
    same(CLMCore.lmcore_tokenizer_id_to_token, exported_lmcore_tokenizer_id_to_token)
    same(CLMCore.lmcore_translate, exported_lmcore_translate)
    same(CLMCore.lmcore_score, exported_lmcore_score)
    same(CLMCore.lmcore_score_text, exported_lmcore_score_text)
    same(CLMCore.lmcore_encode, exported_lmcore_encode)
    same(CLMCore.lmcore_encode_text, exported_lmcore_encode_text)
    same(CLMCore.lmcore_evaluation_default_params, exported_lmcore_evaluation_default_params)
    same(CLMCore.lmcore_evaluation_default_params_by_ref, exported_lmcore_evaluation_default_params_by_ref)
    same(CLMCore.lmcore_evaluate, exported_lmcore_evaluate)
    same(CLMCore.lmcore_evaluation_metric_count, exported_lmcore_evaluation_metric_count)
    same(CLMCore.lmcore_evaluation_metric_name, exported_lmcore_evaluation_metric_name)
    same(CLMCore.lmcore_evaluation_score, exported_lmcore_evaluation_score)
    same(CLMCore.lmcore_evaluation_signature, exported_lmcore_evaluation_signature)
    same(CLMCore.lmcore_evaluation_line, exported_lmcore_evaluation_line)
    same(CLMCore.lmcore_evaluation_interval, exported_lmcore_evaluation_interval)
    same(CLMCore.lmcore_evaluation_sentence_score, exported_lmcore_evaluation_sentence_score)
    same(CLMCore.lmcore_evaluation_free, exported_lmcore_evaluation_free)
    same(CLMCore.lmcore_result_text, exported_lmcore_result_text)
    same(CLMCore.lmcore_result_token_scores, exported_lmcore_result_token_scores)
}
