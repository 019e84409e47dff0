"""The NLL of a saved DeepNADE under each of its first K orderings alone, and of the mixtures of its first k orderings,
on the validation and test splits; optionally written to a JSON file.

    python tools/ordering_nlls.py runs/deepnade-500/model.pt --ks 1,2,4,8,16
    python tools/ordering_nlls.py runs/deepnade-500/model.pt --ks 1,2,4,8,16 --out runs/deepnade-500/orderings.json

The ensemble of k orderings is `DeepNADE.log_prob(x, ensemble=k)`: log of the mean over the model's first k random
orderings of p(x | ordering), each exact (one hidden layer: NADE's kernel on [x, 1]). Each ordering's
log-likelihoods are computed once; the mixtures are formed from them.
"""
import json, math, time, torch
from pathlib import Path
from fastcore.script import call_parse
from ar_lecture.data import load_binarized_mnist
from ar_lecture.train import load_checkpoint, log_likelihoods, NLL, environment
from ar_lecture.deep_nade import DeepNADE

@call_parse
def main(checkpoint:str, # model.pt of a DeepNADE
         ks:str='1,2,4,8,16', # ensemble sizes, comma separated
         splits:str='valid,test', # splits to evaluate, comma separated
         out:str=None, # JSON file to write (default: print only)
         threads:int=None): # torch threads (default: torch's choice)
    if threads: torch.set_num_threads(threads)
    start, model = time.time(), load_checkpoint(checkpoint, expected=DeepNADE)
    ks = [int(k) for k in ks.split(',')]
    orderings = model.ensemble_orderings(max(ks))
    rows = {k: dict(k=k) for k in ks}
    alone = {}
    for split in splits.split(','):
        x = load_binarized_mnist(split)
        lp = torch.stack([log_likelihoods(model, x, ensemble=o[None]) for o in orderings])  # (K, N), each once
        alone[split] = [NLL.of(l).mean for l in lp]
        for k in ks:
            nll = NLL.of(torch.logsumexp(lp[:k], 0) - math.log(k))
            rows[k][f'{split}_nll'], rows[k][f'{split}_se'] = nll.mean, nll.se
            print(f'{split}: {k} orderings: {nll}', flush=True)
    result = dict(checkpoint=str(checkpoint), config=model.config, ensembles=list(rows.values()), orderings_alone=alone,
                  command='python tools/ordering_nlls.py ' + ' '.join(f'--{k} {v}' if k != 'checkpoint' else v for k, v in
                          dict(checkpoint=checkpoint, ks=','.join(map(str, ks)), splits=splits).items()),
                  seconds=time.time() - start, environment=environment())
    if out: Path(out).write_text(json.dumps(result, indent=1) + '\n'); print(f'wrote {out}')
