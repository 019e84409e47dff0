"""Check the lecture's widgets in headless Chromium against the library.

Builds one test page with the generation players of 06 (nbs/models/nade.pt) and 07 (nbs/models/deep_nade.pt under
its first random ordering, by `with_ordering`, as on the page) and the MADE mask explorer,
exactly as `generation_player` and `mask_explorer` make them, plus tools/widget_check.js, which drives them through their
JavaScript API and by simulated clicks and keys. Then compares what the page did with the library:
- the page's samplers against `sample` of `dequantized_model` (the page's weights) for the same uniforms, on
  samples and on completions (`complete`; the deep NADE's of the left half, a set that is no prefix); a pixel
  may differ only where |u - p| < 1e-5, and such cases are counted;
- the log p the player shows against `log_prob`;
- the explorer's masks, connectivity and cut-off outputs against `made_masks`, `connectivity`, `cut_off_outputs`,
  on random shapes (2-8 inputs, 1-3 hidden layers) and after clicks and keys on hidden units;
- no error on the console, and each widget's weight in the page at most 2 MB.
`--pages FOLDER` also opens the rendered pages there (e.g. .docs_check/site after tools/docs_check.py) that contain
a widget, and checks that each widget is built and the page logs no error.
"""
import argparse, html, json, re, shutil, subprocess, sys, tempfile
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parent.parent
CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--enable-logging=stderr', '--v=0',
                '--window-size=1100,1400', '--virtual-time-budget=120000']
TIE = 1e-5  # |u - p| below which float32 rounding may decide a pixel either way
MAX_BYTES = 2_000_000
# Installed before the widgets: records every error and console.error of the page.
PRELUDE = """<script>window.__widgetProblems = [];
window.addEventListener('error', (e) => __widgetProblems.push('error: ' + e.message));
window.addEventListener('unhandledrejection', (e) => __widgetProblems.push('unhandled rejection: ' + e.reason));
(function () { const ce = console.error; console.error = function (...a) { __widgetProblems.push('console.error: ' + a.join(' ')); ce.apply(console, a); }; })();
</script>"""

def chromium(): return shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')

def open_page(path:Path) -> tuple[str, str]:
    "DOM after the page's scripts ran, and Chromium's log (console messages included)."
    with tempfile.TemporaryDirectory() as prof:
        r = subprocess.run([chromium(), *CHROME_FLAGS, f'--user-data-dir={prof}', '--dump-dom', path.resolve().as_uri()],
                           capture_output=True, text=True, timeout=300)
    return r.stdout, r.stderr

def console_errors(log:str) -> list[str]:
    return [l for l in log.splitlines() if 'CONSOLE' in l and re.search(r'Uncaught|Error|error', l)]

def result(dom:str) -> dict:
    m = re.search(r'<pre id="widget-check-result">(.*?)</pre>', dom, re.S)
    if not m: raise SystemExit('widget check: the page wrote no result (did the harness run?)')
    return json.loads(html.unescape(m.group(1)))

class Report:
    def __init__(self): self.passed, self.failed = 0, 0
    def check(self, ok:bool, what:str, detail:str=''):
        if ok: self.passed += 1
        else: self.failed += 1
        print(f'  {"ok  " if ok else "FAIL"} {what}{": " + detail if detail else ""}')

def compare_samples(model, u:torch.Tensor, x_py:torch.Tensor, page:list[dict]) -> tuple[int, int, float]:
    "(pixels that differ at a near-tie, pixels that differ otherwise, largest |p_page - p_python| before a difference)."
    x_js = torch.tensor([s['x'] for s in page], dtype=torch.float32)
    p_js = torch.tensor([[float('nan') if v is None else v for v in s['p']] for s in page], dtype=torch.float64)
    with torch.no_grad(): p_py = torch.sigmoid(model.logits(x_py)).double()
    ties, wrong, dp, order = 0, 0, 0., model.ordering
    for i in range(len(u)):
        differ = (x_js[i, order] != x_py[i, order]).nonzero().flatten()
        upto = order[:differ[0]] if len(differ) else order  # the page and Python agree on every pixel before
        dp = max(dp, (p_js[i, upto] - p_py[i, upto]).abs().max().item())
        if len(differ):
            k = order[differ[0]]
            if abs(u[i, k].item() - p_py[i, k].item()) < TIE: ties += 1
            else: wrong += 1
    return ties, wrong, dp

def completion_view(model, observed:torch.Tensor):
    "The model that draws a completion of `observed` as a sample: for a deep NADE, its ordering with `observed` first."
    from ar_lecture.completion import completion_model
    from ar_lecture.deep_nade import DeepNADE, UnderOrdering, observed_first
    if isinstance(model, DeepNADE): return UnderOrdering(model, observed_first(model.ordering, observed[None])[0])
    return completion_model(model, observed)

def same_draw(model, s:dict) -> bool:
    "Did the player, in state `s`, draw what `model.sample_from` draws from the same (forced, where drawn) uniforms?"
    obs, drawing = torch.tensor(s['observed'], dtype=torch.bool), torch.tensor(s['drawing'], dtype=torch.float32)
    u = torch.tensor(s['u'])
    if s['mode'] == 'draw': u = torch.where(obs, torch.where(drawing == 1, -1., 2.), u)
    x = model.sample_from(u[None])
    with torch.no_grad(): lp = model.log_prob(x).item()
    return s['t'] == model.n_in and x[0].tolist() == [float(v) for v in s['x']] and abs(lp - s['logp']) < 1e-3

def check_player(r:dict, report:Report, page_models:list, cases:dict, digits:torch.Tensor):
    from ar_lecture.completion import complete
    for model, c, page in zip(page_models, cases['models'], r['models']):
        name = type(model).__name__
        u = torch.tensor(c['samples'])
        x_py = model.sample(len(u), u=u)
        ties, wrong, dp = compare_samples(model, u, x_py, page['samples'])
        report.check(wrong == 0, f'{name}: {len(u)} samples from the same uniforms as {name}.sample',
                     f'{ties} pixel(s) differ at |u - p| < {TIE}, {wrong} otherwise; largest |p_page - p| {dp:.1e}')
        with torch.no_grad(): lp = model.log_prob(torch.tensor([s['x'] for s in page['samples']], dtype=torch.float32))
        gap = max(abs(s['logp'] - v) for s, v in zip(page['samples'], lp.tolist()))
        report.check(gap < 1e-3, f'{name}: log p shown by the page equals log_prob', f'largest difference {gap:.1e} nats')
        observed = torch.tensor(c['completions']['observed'], dtype=torch.bool)
        c_py = complete(model, digits, observed, torch.Generator().manual_seed(1))
        uc = torch.where(observed, torch.where(digits == 1, -1., 2.), torch.tensor(c['completions']['u']))
        ties, wrong, dp = compare_samples(completion_view(model, observed), uc, c_py, page['completions'])
        report.check(wrong == 0, f'{name}: {len(digits)} completions of test digits ({c["completions"]["name"]} observed) as complete',
                     f'{ties} near-tie(s), {wrong} other difference(s); largest |p_page - p| {dp:.1e}')

    nade, deep = page_models
    report.check(r['afterSteps'] == 31, 'Step x3 and Row draw 31 pixels', f'{r["afterSteps"]}')
    report.check(r['playing'] == 'Pause', 'Play turns into Pause while playing')
    for name in ('played', 'seed7'):
        report.check(same_draw(nade, r[name]), f'played to the end (seed {r[name]["seed"]}): what NADE.sample draws '
                     "from the page's uniforms, and its log p")
    report.check(r['seed7again'] == r['seed7']['x'] and r['seed7']['x'] != r['played']['x'],
                 'the same seed draws the same image again, another seed another image')
    report.check('prefix' in r['drawNote'], 'NADE draw mode says the drawn pixels are a prefix of the ordering')
    s = r['completed']
    ones = torch.tensor(s['drawing']).nonzero().flatten().tolist()
    report.check(ones == [5 * 28 + 10, 6 * 28 + 12, 8 * 28 + 4] and sum(s['observed']) == 280,
                 'NADE: pixels set by pointer and keys in the 10 drawn rows, none below', f'{ones}')
    report.check(s['model'] == 'NADE' and same_draw(nade, s), 'NADE: Complete draws the rest as NADE.sample does',
                 f'log p {s["logp"]:.2f} nats')
    s = r['deepCompleted']
    ones = torch.tensor(s['drawing']).nonzero().flatten().tolist()
    obs = torch.tensor(s['observed'], dtype=torch.bool)
    report.check('any set' in r['deepNote'] and ones == [5 * 28 + 3, 12 * 28 + 8, 21 * 28 + 1] and
                 obs.view(28, 28)[:, :10].all() and not obs.view(28, 28)[:, 10:].any(),
                 'DeepNADE: pixels set by pointer and keys in the 10 left columns, none to their right', f'{ones}')
    view = completion_view(deep, obs)
    report.check(s['model'] == 'DeepNADE' and s['ordering'] == view.ordering.tolist() and same_draw(view, s),
                 "DeepNADE: Complete draws the rest under the model's ordering with the drawn pixels first, as complete does",
                 f'log p {s["logp"]:.2f} nats')
    report.check(same_draw(deep, r['deepPlayed']), "DeepNADE: played to the end, what DeepNADE.sample draws from the page's uniforms")

def check_explorer(r:dict, report:Report, cases:dict):
    from ar_lecture.masks import made_masks, connectivity, cut_off_outputs, hidden_numbers, _path_edges
    def ours(ordering, numbers):
        ms = made_masks(ordering, [torch.tensor(m) for m in numbers])
        return dict(masks=[M.int().tolist() for M in ms.layers], connectivity=connectivity(ms).int().tolist(),
                    cutOff=cut_off_outputs(ordering, [torch.tensor(m) for m in numbers]).tolist()), ms
    lec = ours([0, 1, 2, 3], cases['lecture'])[0]
    st = r['explorerStart']
    report.check((st['ordering'], st['numbers']) == ([0, 1, 2, 3], cases['lecture']) and
                 {k: st[k] for k in lec} == lec, "starts on the lecture's example with made_masks' masks")
    bad = []
    for c, page in zip(cases['configs'], r['configs']):
        want, ms = ours(c['ordering'], c['numbers'])
        paths = sum(int(e.sum()) for e in _path_edges(ms, c['output']))
        if page['pure'] != want or page['widget'] != want or page['lines'] != sum(int(M.sum()) for M in ms.layers) \
           or page['pathLines'] != paths or page['cutUnits'] != len(want['cutOff']): bad.append(c)
    n_cut = sum(len(p['pure']['cutOff']) > 0 for p in r['configs'])
    report.check(not bad, f'{len(cases["configs"])} random shapes: masks, connectivity, cut-off outputs, drawn edges and '
                 f'paths equal the library\'s ({n_cut} with cut-off outputs)', f'first mismatch {bad[:1]}')
    steps = [('afterClick', 3), ('afterKey', 2), ('afterShiftClick', 1)]
    ok = all(r[k]['numbers'][1][1] == v and {f: r[k][f] for f in lec} == ours([0, 1, 2, 3], r[k]['numbers'])[0]
             for k, v in steps)
    report.check(ok, 'click, arrow key and shift-click change a unit\'s number (2 -> 3 -> 2 -> 1), masks as made_masks',
                 str([r[k]['numbers'] for k, _ in steps]))
    report.check(r['unitFocusable'] == 8 + 4, 'every hidden unit and output is keyboard-focusable', f'{r["unitFocusable"]}')
    report.check(r['outputChosen'] == 3, 'clicking an output chooses it')
    s = r['resized']
    want = [m.tolist() for m in hidden_numbers(6, [5, 5, 5], how='even')]
    report.check(s['ordering'] == list(range(6)) and s['numbers'] == want and
                 {k: s[k] for k in lec} == ours(s['ordering'], s['numbers'])[0],
                 'the selectors build 6 inputs, 3 layers of 5 with hidden_numbers(how="even")')

def random_configs(count:int, g:torch.Generator) -> list[dict]:
    out = []
    for _ in range(count):
        n = int(torch.randint(2, 9, (1,), generator=g)); L = int(torch.randint(1, 4, (1,), generator=g))
        sizes = torch.randint(1, 9, (L,), generator=g).tolist()
        out.append(dict(ordering=torch.randperm(n, generator=g).tolist(), output=int(torch.randint(0, n, (1,), generator=g)),
                        numbers=[torch.randint(1, n, (d,), generator=g).tolist() for d in sizes]))
    return out

def check_pages(folder:Path, report:Report):
    "Open each rendered page with a widget and check that the widgets are built and nothing is logged as an error."
    for page in sorted(folder.glob('*.html')):
        text = page.read_text()
        want = text.count('class="arl-widget"')
        if not want: continue
        probe = ("<script>window.addEventListener('load', () => setTimeout(() => { const pre = document.createElement('pre');"
                 "pre.id = 'widget-check-result'; pre.textContent = JSON.stringify({built: (window.arLecture && "
                 "((arLecture.players || []).length + (arLecture.explorers || []).length)) || 0, problems: __widgetProblems});"
                 "document.body.append(pre); }, 3000));</script>")
        test = page.with_name(f'.widget_check_{page.name}')
        test.write_text(re.sub(r'(<head[^>]*>)', lambda m: m.group(1) + PRELUDE, text, 1).replace('</body>', probe + '</body>'))
        try: dom, log = open_page(test)
        finally: test.unlink()
        r = result(dom)
        problems = r['problems'] + console_errors(log)
        report.check(r['built'] == want and not problems, f'{page.name}: {want} widget(s) built, no console error',
                     f'built {r["built"]}; {problems[:3]}')

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--pages', type=Path, help='also open the rendered pages in this folder that contain a widget')
    p.add_argument('--keep', type=Path, help='save the test page here')
    args = p.parse_args()
    if not chromium(): sys.exit('widget check: chromium not found (Debian package `chromium`)')
    from ar_lecture.data import load_binarized_mnist
    from ar_lecture.checkpoint import load_checkpoint
    from ar_lecture.widgets import generation_player, export_weights, dequantized_model, mask_explorer
    from ar_lecture.deep_nade import with_ordering
    deep = load_checkpoint(ROOT/'nbs'/'models'/'deep_nade.pt')
    models = [load_checkpoint(ROOT/'nbs'/'models'/'nade.pt'), with_ordering(deep, deep.ensemble_orderings(1)[0])]
    page_models = [dequantized_model(export_weights(m)) for m in models]
    players, explorer = [generation_player(m) for m in models], mask_explorer()
    digits = load_binarized_mnist('test')[::500]  # 20 test digits
    col, row = torch.arange(784) % 28, torch.arange(784) // 28
    regions = [('the top 14 rows', row < 14), ('the left 14 columns', col < 14)]
    cases = dict(models=[dict(samples=m.uniforms(n, torch.Generator().manual_seed(0)).tolist(),
                              completions=dict(u=m.uniforms(len(digits), torch.Generator().manual_seed(1)).tolist(),
                                               x=digits.int().tolist(), observed=obs.int().tolist(), name=name))
                         for m, n, (name, obs) in zip(page_models, (50, 20), regions)],
                 configs=random_configs(300, torch.Generator().manual_seed(0)), lecture=[[1, 2, 1, 3], [1, 2, 3, 1]])
    report = Report()
    for w in (*players, explorer):
        size = len(w.html.encode())
        fetches = re.findall(r'\b(?:src|href)=|url\(|fetch\(|XMLHttpRequest|import\(', w.html)
        report.check(size <= MAX_BYTES and not fetches,
                     f'{w.name} adds {size / 1e6:.2f} MB to a page, and loads nothing from elsewhere', str(fetches))
    page = ('<!doctype html><html><head><meta charset="utf-8"><title>widget check</title>' + PRELUDE + '</head><body>'
            + ''.join(p.html for p in players) + explorer.html + '<script type="application/json" id="widget-check-cases">'
            + json.dumps(cases) + '</script><script>' + (ROOT/'tools'/'widget_check.js').read_text() + '</script></body></html>')
    with tempfile.TemporaryDirectory() as tmp:
        path = (args.keep or Path(tmp))/'widget_check.html'
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page)
        dom, log = open_page(path)
    r = result(dom)
    report.check('exception' not in r, 'the harness ran to the end', r.get('exception', ''))
    if 'exception' not in r:
        check_player(r, report, page_models, cases, digits)
        check_explorer(r, report, cases)
    problems = r.get('problems', []) + console_errors(log)
    report.check(not problems, 'no error on the console', '; '.join(problems[:5]))
    if args.pages: check_pages(args.pages, report)
    print(f'widgets: {report.passed} passed, {report.failed} failed')
    sys.exit(1 if report.failed else 0)

if __name__ == '__main__': main()
