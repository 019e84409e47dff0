"""The record of an unfinished training run, from its checkpoint: every epoch's training and validation NLL so far.

    python tools/run_progress.py runs/made8000x2-32masks/model.pt --command "ar_lecture_train ..." \
        --out results/made-8000x2-32masks/progress.json

A long run checkpoints after every epoch and is carried on with `ar_lecture_train --resume` (in a later working
session if need be); until it finishes it has no `metrics.json`. This writes what it has so far: the trainer's
hyperparameters, its history (epoch, training NLL, validation NLL, learning rate, seconds), the model's config, the
command that started the run (given here, since the checkpoint does not hold it) and the machine it was read on
(`read_on`: not necessarily the one that trains).
Nothing is chosen by these numbers; the test split is not touched.
"""
import json
from pathlib import Path
from fastcore.script import call_parse
from ar_lecture.checkpoint import read_checkpoint
from ar_lecture.report import environment

@call_parse
def main(checkpoint:str, # model.pt of a run written by ar_lecture_train, finished or not
         command:str=None, # the command that started the run (required)
         out:str=None): # JSON file to write (default: print only)
    if not command: raise SystemExit('--command: give the command that started the run (the checkpoint does not hold it)')
    ckpt = read_checkpoint(checkpoint)
    st = ckpt['training']
    if st is None: raise SystemExit(f'{checkpoint}: a model without training state; nothing to report')
    result = dict(model=ckpt['model_class'], config=ckpt['config'], command=command, hparams=st['hparams'],
                  epochs_done=st['epoch'], history=st['history'], read_on=environment())
    for h in st['history']: print(f"epoch {h['epoch']}: train {h['train_nll']:.2f}  valid {h['valid_nll']:.2f}  lr {h['lr']:.2g}")
    if out: Path(out).parent.mkdir(parents=True, exist_ok=True); Path(out).write_text(json.dumps(result, indent=1) + '\n'); print(f'wrote {out}')
