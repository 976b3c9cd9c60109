"""Writes the inputs of text_api_test.c into WORK: text_cases.tsv (source, input ids, HF ids after
the start token, HF text) from models/numbers-7lang/eval/samples.jsonl, and text_score.tsv (one
HF-scored pair). Usage: text_cases.py EVAL_DIR WORK"""
import json
import sys

ev, work = sys.argv[1], sys.argv[2]
with open(work + "/text_cases.tsv", "w") as f:
    for line in open(ev + "/samples.jsonl", encoding="utf-8"):
        s = json.loads(line)
        f.write("\t".join([s["source"], " ".join(map(str, s["input_ids"])), " ".join(map(str, s["ids"][1:])), s["text"]]) + "\n")
h = json.loads(open(ev + "/hf_scores.jsonl").readline())
with open(work + "/text_score.tsv", "w") as f:
    f.write(" ".join(map(str, h["input_ids"])) + "\t" + " ".join(map(str, h["target_ids"])) + "\t" + repr(h["total"]) + "\n")
