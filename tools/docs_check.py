"""Offline check of the documentation site, as a reader would see it, without Quarto.

Processes the notebooks exactly as `nbdev_docs` does before handing them to Quarto (nbdev's `proc_nbs`:
hidden cells dropped, `show_doc` entries added and executed), renders each page listed in nbs/sidebar.yml to
HTML with nbconvert (MathJax served from a local copy fetched from the npm registry), opens every page in
headless Chromium and fails if a page is missing, a figure is missing, an API entry is missing, or math is not
typeset. `--shots` also saves a screenshot of each page in .docs_check/shots/.
"""
import argparse, functools, yaml, http.server, importlib, json, re, shutil, subprocess, sys, tarfile, tempfile, threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT/'.docs_check'
SITE = OUT/'site'
MATHJAX = 'mathjax@3.2.2'
# MathJax 3 with `$...$` for inline math, as Quarto configures it (nbconvert's template configures MathJax 2)
MATHJAX_CONFIG = ("<script>window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], "
                  "processEscapes: true}};</script>")
CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                '--hide-scrollbars', '--virtual-time-budget=20000']

def page_name(nb): return re.sub(r'^\d+_', '', Path(nb).stem) + '.html'

def sidebar_pages():
    return re.findall(r'^\s*-\s*(\S+\.ipynb)\s*$', (ROOT/'nbs'/'sidebar.yml').read_text(), re.M)

def fetch_mathjax():
    "A local copy of MathJax 3 from the npm registry (cached in .docs_check/)."
    dest = SITE/'mathjax'
    if (dest/'tex-chtml-full.js').exists(): return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(['npm', 'pack', MATHJAX, '--pack-destination', tmp, '--silent'], check=True, capture_output=True)
        with tarfile.open(next(Path(tmp).glob('mathjax-*.tgz'))) as t:
            members = [m for m in t.getmembers() if m.name.startswith('package/es5/')]
            t.extractall(tmp, members=members)
        shutil.copytree(Path(tmp)/'package'/'es5', dest, dirs_exist_ok=True)

def frontmatter_to_markdown(nb):
    "Quarto reads the title and description from a raw YAML cell; show them as a heading for nbconvert."
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.startswith('---'):
            meta = yaml.safe_load(c.source.strip().strip('-'))
            c.cell_type, c.source = 'markdown', f"# {meta.get('title', '')}\n\n> {meta.get('description', '')}"
            c.pop('attachments', None)
            break

def math_count(nb):
    "Number of math expressions in the markdown cells (`$$...$$` and `$...$`)."
    n = 0
    for c in nb.cells:
        if c.cell_type != 'markdown': continue
        src = re.sub(r'```.*?```', '', c.source, flags=re.S)
        src = re.sub(r'`[^`]*`', '', src)
        n += len(re.findall(r'\$\$.+?\$\$', src, re.S))
        n += len(re.findall(r'(?<![\$\\])\$(?!\$)[^\$\n]+?\$', re.sub(r'\$\$.+?\$\$', '', src, flags=re.S)))
    return n

def image_count(nb):
    return sum('image/png' in o.get('data', {}) or 'image/svg+xml' in o.get('data', {})
               for c in nb.cells if c.cell_type == 'code' for o in c.get('outputs', []))

def api_names(src_nb):
    "Functions and classes exported by the notebook's module."
    m = re.search(r'#\|\s*default_exp\s+([\w.]+)', src_nb.read_text())
    if not m: return []
    mod = importlib.import_module(f'ar_lecture.{m.group(1)}')
    return [n for n in mod.__all__ if callable(getattr(mod, n))]  # nbdev documents functions and classes

def render(proc_nb, dest):
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    nb = nbformat.read(proc_nb, as_version=4)
    frontmatter_to_markdown(nb)
    for c in nb.cells:  # what Quarto does with nbdev's cell options
        if c.cell_type != 'code': continue
        if re.search(r'^#\|\s*echo:\s*false', c.source, re.M): c.metadata.setdefault('tags', []).append('remove_input')
        for o in c.get('outputs', []):
            if 'text/markdown' in o.get('data', {}):
                o['data']['text/markdown'] = re.sub(r'\)\{target="_blank"[^}]*\}', ')', o['data']['text/markdown'])
    exporter = HTMLExporter(template_name='lab', mathjax_url='mathjax/tex-chtml-full.js', exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'remove_input'}), enabled=True)
    html, _ = exporter.from_notebook_node(nb)
    html = html.replace('<script src="mathjax/', MATHJAX_CONFIG + '<script src="mathjax/', 1)
    html = re.sub(r'href="(?:\./)?(\d+_\w+)\.ipynb', lambda m: f'href="{page_name(m.group(1))}', html)
    html = html.replace('href="index.ipynb', 'href="index.html')
    dest.write_text(html)
    return nb

def serve(folder):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    handler = functools.partial(Quiet, directory=str(folder))
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv

def chromium(): return shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')

def open_page(url, shot=None):
    "The DOM of `url` after its scripts ran, in headless Chromium (and a screenshot if `shot`)."
    with tempfile.TemporaryDirectory() as prof:
        flags = CHROME_FLAGS + [f'--user-data-dir={prof}']
        dom = subprocess.run([chromium(), *flags, '--dump-dom', url], capture_output=True, text=True, timeout=180).stdout
        if shot: subprocess.run([chromium(), *flags, f'--screenshot={shot}', '--window-size=1100,4000', url],
                                capture_output=True, timeout=180)
    return dom

def check_source(src_nb):
    "Problems nbdev would silently make of the notebook's title cell: it keeps only the first `>` line."
    import nbformat
    first = nbformat.read(src_nb, as_version=4).cells[0]
    quoted = [l for l in first.source.splitlines() if l.startswith('>')]
    return ['the description (`> ...`) spans several lines; nbdev keeps only the first'] if len(quoted) > 1 else []

def check_page(dom, nb, names):
    "List of problems with one page's DOM."
    problems = []
    if '<body' not in dom: return ['the page did not load']
    want, got = math_count(nb), dom.count('<mjx-container')
    if got < want: problems.append(f'math not typeset: {got} of {want} expressions')
    if '<mjx-merror' in dom: problems.append('MathJax reported a TeX error')
    want, got = image_count(nb), len(re.findall(r'<img[^>]+src="data:image/(?:png|svg)', dom))
    if got < want: problems.append(f'figures missing: {got} of {want} shown')
    broken = [src for src in re.findall(r'<img[^>]+src="([^"]+)"', dom)
              if not src.startswith(('data:', 'http')) and not (SITE/src).exists()]
    if broken: problems.append(f'images not found: {broken}')
    missing = [n for n in names if not re.search(rf'<h[2-4][^>]*>\s*{re.escape(n)}\b', dom)]
    if missing: problems.append(f'API entries missing: {missing}')
    if 'Traceback (most recent call last)' in dom or 'class="jp-RenderedText" data-mime-type="application/vnd.jupyter.stderr"' in dom and 'Error' in dom:
        problems.append('an error is shown on the page')
    return problems

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--shots', action='store_true', help='save a screenshot of each page in .docs_check/shots/')
    args = p.parse_args()
    if not chromium(): sys.exit('docs check: chromium not found (Debian package `chromium`)')
    from nbdev.serve import proc_nbs
    SITE.mkdir(parents=True, exist_ok=True)
    fetch_mathjax()
    proc = proc_nbs(force=True, n_workers=0)
    for f in (ROOT/'nbs').glob('*'):  # pictures the pages link to, as Quarto copies them
        if f.suffix.lower() in ('.gif', '.png', '.jpg', '.svg'): shutil.copy(f, SITE/f.name)
    srv = serve(SITE)
    (OUT/'shots').mkdir(exist_ok=True)
    passed, failed = 0, 0
    for nb_file in sidebar_pages():
        src, proc_nb, page = ROOT/'nbs'/nb_file, proc/nb_file, page_name(nb_file)
        if not src.exists() or not proc_nb.exists(): problems = [f'{nb_file} is in sidebar.yml but does not exist']
        else:
            nb = render(proc_nb, SITE/page)
            dom = open_page(f'http://127.0.0.1:{srv.server_port}/{page}', OUT/'shots'/page.replace('.html', '.png') if args.shots else None)
            problems = check_source(src) + check_page(dom, nb, api_names(src))
            print(f'  {page:22s} math {dom.count("<mjx-container"):3d}, figures {image_count(nb):2d}, '
                  f'API entries {len(api_names(src)):2d}: {"ok" if not problems else "; ".join(problems)}')
        if problems: failed += 1; print(f'FAILED {page}: {"; ".join(problems)}')
        else: passed += 1
    srv.shutdown()
    print(f'docs: {passed} passed, {failed} failed')
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main()
