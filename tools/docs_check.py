"""Offline check of the documentation site, as a reader would see it, without Quarto.

Processes the notebooks exactly as `nbdev_docs` does before handing them to Quarto (nbdev's `proc_nbs`:
hidden cells dropped, the source of `#| export` cells dropped, `show_doc` entries added and executed), renders
each page listed in nbs/sidebar.yml to HTML with nbconvert (MathJax served from a local copy fetched from the
npm registry, Quarto's previous/next page navigation emulated from the sidebar order, the body limited to
Quarto's 800-pixel column), opens every page in headless Chromium and fails, naming the page and the name, when

- a page is missing, math is not typeset, a figure or a linked page or picture is missing, or an error is shown;
- the browser reports an error: an uncaught exception, a rejected promise, `console.error`, or a script,
  style sheet or picture that fails to load;
- a **lecture definition's body** is not on its page: `LECTURE_BODIES` below says which definitions must
  be shown on which page; every code line of the definition's body (its source in the package, less the
  docstring, blank lines and comments) must appear in the page's code blocks, as nbdev's `#| exports` shows
  it. Definitions in `OUTLINE` need their first line and half of their body lines. The C kernel's `.c` files
  (package data under ar_lecture/) must be shown, every code line, in C-highlighted blocks of one of
  `C_SOURCE_PAGES`;
- an **API entry** is missing or out of place: every function and class in a module's `__all__` needs a
  `show_doc` heading on the page of the notebook that exports the module, in source order, and every public
  method defined by such a class (functions, class and static methods, `@patch`ed ones included, not
  properties; `forward`/`backward` of modules and autograd functions are shown through their class) a heading
  `Class.method` on some page; a cell holds more than one `show_doc` (nbdev keeps only the last);
- a **signature** shows raw TeX (a `$` outside backticks), a markdown link, or a literal default longer than
  `LONG_DEFAULT` = 60 characters;
- an **output**, or code shown on a page, holds a temporary or machine path (/tmp, /work, /root, /home, /Users,
  /var/folders);
- the **navigation** is incomplete: nbs/_quarto.yml must set `website: page-navigation: true` and a sidebar
  `title`, every notebook in nbs/ must be listed in nbs/sidebar.yml (that order is the previous/next order),
  every page's previous/next links and every link between pages must lead to rendered pages, and the index
  must link to every page;
- a **figure is not legible**. Legibility threshold, for every PNG figure in a cell output: shown at least
  `MIN_FIGURE_WIDTH` = 300 CSS pixels wide; sharp on high-density screens, i.e. PNG resolution (its pHYs
  dpi, which matplotlib writes) at least `MIN_DPI` = 120, or at least 1.25 image pixels per CSS pixel
  (matplotlib's `retina` format gives 2); not shrunk below its physical size (at least 96 CSS pixels per
  figure inch, so that 9-point text is at least 12 CSS pixels); and no font size below `MIN_FONT_PT` = 9
  points written in the cell that draws it (`fontsize=7`, `labelsize=6`, `{'size': 7}`). SVG figures pass the
  resolution test. In practice: `%config InlineBackend.figure_format = 'retina'` in a hidden cell, figures at
  dpi 100 and at most 8 inches wide, text of 9 points or more.

`--shots` also saves a screenshot of each page in .docs_check/shots/; `--only made_masks ...` checks only those
pages (quicker while editing a chapter; the site-wide checks are left out). The last line is `docs: N passed, M
failed` (one item per page, and one for the site-wide checks).
"""
import argparse, ast, base64, functools, html, http.server, importlib, json, pkgutil, re, shutil, struct, subprocess
import sys, tarfile, tempfile, textwrap, threading, yaml
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
OUT = ROOT/'.docs_check'
SITE = OUT/'site'
MATHJAX = 'mathjax@3.2.2'

# What the lecture shows: page (notebook name without its number, e.g. 'nade' for 01_nade.ipynb) -> definitions
# (names exported by some module of ar_lecture, `Class.method` for methods) whose body must be on that page.
# `a|b`: the first of the names that exists.
LECTURE_BODIES = {
    'chain_rule': ['Autoregressive'],
    'nade': ['NADE.hidden', 'NADE.reference_logits', 'nade_parameters'],
    'incremental': ['per_dimension_logits', 'blocks_forward', 'incremental_sample|NADE.sample'],
    'made_masks': ['hidden_numbers', 'made_masks'],
    'made': ['MaskedLinear', 'MADE.logits', 'fast_sample|MADE.sample'],  # MADE's forward pass is its `logits`
    'training': ['nll_loss'],
    'mixture': ['Mixture.log_prob', 'Mixture.logits'],
}
OUTLINE = {'blocks_forward'}  # shown at least in outline: first line and half of the body lines
C_SOURCE_PAGES = {'nade.c': ('kernel', 'incremental'), 'staircase.c': ('made_structured',), 'loss.c': ('training',), 'adam.c': ('training',)}  # each .c file is shown on one of its pages
LONG_DEFAULT = 60  # characters
MIN_FIGURE_WIDTH, MIN_DPI, MIN_DENSITY, MIN_CSS_PX_PER_INCH, MIN_FONT_PT = 300, 120, 1.25, 96, 9
SKIP_METHODS = {'forward', 'backward', 'extra_repr', 'setup_context'}
MACHINE_PATH = re.compile(r'(?<![\w.~-])/(?:tmp|work|root|home|Users|var/folders)(?=/|\b)')

# MathJax 3 with `$...$` for inline math, as Quarto configures it (nbconvert's template configures MathJax 2)
MATHJAX_CONFIG = ("<script>window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], "
                  "processEscapes: true}};</script>")
# Runs first on every page: records what the browser reports as an error, and how each figure is shown.
WATCH = """<script>
(function(){
  const errs = [], root = document.documentElement;
  const note = m => { errs.push(String(m)); root.setAttribute('data-console-errors', JSON.stringify(errs)); };
  const ce = console.error; console.error = (...a) => { note('console.error: ' + a.join(' ')); ce.apply(console, a); };
  addEventListener('error', e => note(e.message ? 'uncaught: ' + e.message
      : 'failed to load: ' + (e.target && (e.target.src || e.target.href))), true);
  addEventListener('unhandledrejection', e => note('unhandled rejection: ' + (e.reason && e.reason.message || e.reason)));
  addEventListener('load', () => document.querySelectorAll('img').forEach(
      i => { i.setAttribute('data-natural-width', i.naturalWidth); i.setAttribute('data-shown-width', i.clientWidth); }));
})();
</script>
<style>body main, body.jp-Notebook { max-width: 800px; margin: 0 auto; }</style>
"""
CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                '--hide-scrollbars', '--virtual-time-budget=20000', '--window-size=1100,4000']

def page_name(nb):
    "The page nbdev gives a notebook (`07_results.ipynb` -> `results.html`)."
    from nbdev.doclinks import _nbpath2html
    return _nbpath2html(Path(nb)).name

def page_key(nb): return page_name(nb)[:-len('.html')]

def sidebar_pages():
    return re.findall(r'^\s*-\s*(\S+\.ipynb)\s*$', (NBS/'sidebar.yml').read_text(), re.M)

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

# ---------------------------------------------------------------- the package: modules, names, sources
def modules():
    "Every module of ar_lecture that imports, and the import errors of the others."
    import ar_lecture
    mods, errors = {}, []
    for m in pkgutil.iter_modules(ar_lecture.__path__):
        if m.name.startswith('_'): continue
        try: mods[m.name] = importlib.import_module(f'ar_lecture.{m.name}')
        except Exception as e: errors.append(f'ar_lecture.{m.name} does not import: {type(e).__name__}: {e}')
    return mods, errors

def module_notebooks():
    "Module name -> the notebook that exports it (`#| default_exp`)."
    out = {}
    for nb in sorted(NBS.glob('*.ipynb')):
        m = re.search(r'#\|\s*default_exp\s+([\w.]+)', nb.read_text())
        if m: out[m.group(1)] = nb.name
    return out

def resolve(name, mods):
    "The object `name` (`f`, `Class` or `Class.method`) exported by a module of ar_lecture, and that module's name."
    head, *rest = name.split('.')
    for mname, mod in mods.items():
        if head in getattr(mod, '__all__', ()):
            obj = getattr(mod, head)
            for r in rest:
                if r not in vars(obj): break
                obj = vars(obj)[r]
            else: return getattr(obj, '__func__', obj), mname
    return None, None

def api_names(mod):
    "Functions and classes a module exports (nbdev documents those), in source order."
    import inspect
    if mod is None: return []
    names = [n for n in mod.__all__ if callable(getattr(mod, n))]
    def line(n):  # names defined elsewhere go last
        obj = getattr(mod, n)
        if getattr(obj, '__module__', None) != mod.__name__: return 10**9
        try: return inspect.getsourcelines(obj)[1]
        except (OSError, TypeError): return 10**9
    return sorted(names, key=line)

def body_lines(obj):
    "Code lines of a definition's body as `#| exports` shows them: stripped, without docstring, blanks and comments."
    import inspect
    src = textwrap.dedent(inspect.getsource(obj))
    node = ast.parse(src).body[0]
    head = node.body[0]
    doc = head if isinstance(head, ast.Expr) and isinstance(head.value, ast.Constant) and isinstance(head.value.value, str) else None
    lines = src.splitlines()
    skip = set(range(doc.lineno - 1, doc.end_lineno)) if doc else set()
    first = lines[node.lineno - 1].strip()  # the `def`/`class` line (decorators come before it)
    body_start = node.body[0].lineno - 1
    if node.body[0].lineno == node.lineno:  # a one-line definition: `def f(x): return x`
        return first, [first]
    body = [l.strip() for i, l in enumerate(lines) if i >= body_start and i not in skip]
    return first, [l for l in body if l and not l.startswith('#')]

def c_lines(text):
    "Code lines of C source text: stripped, without blanks, comments and preprocessor lines."
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    lines = [re.sub(r'//.*', '', l).strip() for l in text.splitlines()]
    return [l for l in lines if l and not l.startswith('#')]

# ---------------------------------------------------------------- rendering
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

def navigation(pages, i):
    "Quarto's page navigation, emulated: links to the previous and next page of the sidebar."
    links = []
    if i > 0: links.append(f'<a class="pagination-link prev" href="{page_name(pages[i-1])}">← {page_key(pages[i-1])}</a>')
    if i < len(pages) - 1: links.append(f'<a class="pagination-link next" href="{page_name(pages[i+1])}">{page_key(pages[i+1])} →</a>')
    return f'<nav class="page-navigation">{" · ".join(links)}</nav>'

def render(proc_nb, dest, nav):
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
    page, _ = exporter.from_notebook_node(nb)
    page = page.replace('<head>', '<head>' + WATCH, 1)
    page = re.sub(r'<script src="https://cdnjs[^"]*require[^"]*"></script>', '', page)  # nbconvert's; Quarto has none
    page = page.replace('<script src="mathjax/', MATHJAX_CONFIG + '<script src="mathjax/', 1)
    page = re.sub(r'href="(?:\./)?([\w.-]+\.ipynb)', lambda m: f'href="{page_name(m.group(1))}', page)
    page = re.sub(r'(</main>|</body>)', nav + r'\1', page, count=1)
    dest.write_text(page)
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
    "The DOM of `url` after its scripts ran, in headless Chromium (and a screenshot if `shot`), and the uncaught errors it logged."
    with tempfile.TemporaryDirectory() as prof:
        flags = CHROME_FLAGS + [f'--user-data-dir={prof}']
        r = subprocess.run([chromium(), *flags, '--enable-logging=stderr', '--v=0', '--dump-dom', url],
                           capture_output=True, text=True, timeout=180)
        if shot: subprocess.run([chromium(), *flags, f'--screenshot={shot}', url], capture_output=True, timeout=180)
    logged = re.findall(r':CONSOLE[^\]]*\] "(Uncaught[^"]*)"', r.stderr)
    return r.stdout, logged

# ---------------------------------------------------------------- checks of one page
def dom_text(fragment): return html.unescape(re.sub(r'<[^>]+>', '', fragment))

def code_blocks(dom):
    "Text of the page's code blocks (`<pre>`)."
    return [dom_text(b) for b in re.findall(r'<pre[^>]*>((?:(?!</pre>).)*)</pre>', dom, re.S)]

def code_line_set(dom):
    return {l.strip() for b in code_blocks(dom) for l in b.splitlines() if l.strip()}

def c_line_set(nb):
    "Lines of the C-highlighted blocks (```c) a page shows, in its markdown cells and markdown outputs."
    texts = [c.source for c in nb.cells if c.cell_type == 'markdown']
    texts += [o['data']['text/markdown'] for c in nb.cells for o in c.get('outputs', []) if 'text/markdown' in o.get('data', {})]
    blocks = [b for t in texts for b in re.findall(r'```\s*\{?\.?c\}?\s*\n(.*?)```', t if isinstance(t, str) else ''.join(t), re.S)]
    return {l for b in blocks for l in c_lines(b)}

def png_dpi(data):
    "The dpi a PNG records in its pHYs chunk (matplotlib writes the figure's), or None."
    i = data.find(b'pHYs')
    if i < 0: return None
    ppx, _, unit = struct.unpack('>IIB', data[i+4:i+13])
    return round(ppx * 0.0254) if unit == 1 else None

def figure_problems(dom, nb):
    "Figures below the legibility threshold (see the module docstring)."
    problems = []
    imgs = [m.group(0) for m in re.finditer(r'<img[^>]*src="data:image/png;base64,[^"]*"[^>]*>', dom)]
    for k, tag in enumerate(imgs, 1):
        data = base64.b64decode(re.search(r'base64,([^"]*)', tag).group(1))
        natural = int(re.search(r'data-natural-width="(\d+)"', tag).group(1)) if 'data-natural-width' in tag else struct.unpack('>I', data[16:20])[0]
        shown = int(re.search(r'data-shown-width="(\d+)"', tag).group(1)) if 'data-shown-width' in tag else natural
        dpi, density = png_dpi(data), natural / max(shown, 1)
        why = []
        if shown < MIN_FIGURE_WIDTH: why.append(f'shown {shown} px wide (< {MIN_FIGURE_WIDTH})')
        if (dpi or 0) < MIN_DPI and density < MIN_DENSITY:
            why.append(f'{dpi or "no"} dpi and {density:.2f} image pixels per CSS pixel (want dpi >= {MIN_DPI} or >= {MIN_DENSITY})')
        if dpi and shown * dpi / natural < MIN_CSS_PX_PER_INCH:
            why.append(f'shrunk to {shown * dpi / natural:.0f} CSS px per figure inch (< {MIN_CSS_PX_PER_INCH}): text shrinks with it')
        if why: problems.append(f'figure {k} of {len(imgs)} ({natural} px, shown {shown} px): ' + ', '.join(why))
    for c in nb.cells:
        if c.cell_type != 'code' or not any('image/png' in o.get('data', {}) for o in c.get('outputs', [])): continue
        small = [f'{m.group(0)}' for m in re.finditer(r'''(?:\b(?:fontsize|labelsize|titlesize)\s*=\s*|['"](?:font\.size|size)['"]\s*:\s*)(\d+(?:\.\d+)?)\b''', c.source)
                 if float(m.group(1)) < MIN_FONT_PT]
        if small: problems.append(f'text below {MIN_FONT_PT} pt in the cell drawing a figure ({", ".join(small)}): '
                                  f'{c.source.strip().splitlines()[0][:60]!r}')
    return problems

def outputs_text(o):
    if o.get('output_type') == 'stream': return o.get('text', '')
    if o.get('output_type') == 'error': return '\n'.join(o.get('traceback', []))
    d = o.get('data', {})
    return '\n'.join(d[k] if isinstance(d[k], str) else ''.join(d[k]) for k in ('text/plain', 'text/markdown', 'text/html') if k in d)

def signature_problems(nb):
    "Signatures (the code block of a `show_doc` entry) with raw TeX or long literal defaults."
    problems = []
    for c in nb.cells:
        for o in c.get('outputs', []):
            md = o.get('data', {}).get('text/markdown', '')
            for name, sig in re.findall(r'#+ ([\w.]+)\s*\n+```python\n(.*?)\n```', md if isinstance(md, str) else ''.join(md), re.S):
                tex = [l.strip() for l in sig.splitlines() if '$' in re.sub(r'`[^`]*`', '', l)]  # `$CC` in backticks is code
                if tex: problems.append(f'signature of {name} shows raw TeX (a `$` outside backticks): {tex[0]!r}')
                links = [l.strip() for l in sig.splitlines() if re.search(r'\]\([^)]*\)', l)]
                if links: problems.append(f'signature of {name} shows a markdown link (nbdev links a backticked name of the '
                                          f'library: write it without backticks): {links[0]!r}')
                code = re.sub(r'^class\s+(\w+)\s*(?:\(|:)', r'def \1(', sig.strip(), count=1)
                try: fn = ast.parse(code.rstrip().rstrip(':') + ':\n    pass').body[0]
                except SyntaxError: continue
                args = fn.args
                for d in [*args.defaults, *[d for d in args.kw_defaults if d is not None]]:
                    lit = ast.get_source_segment(code.rstrip().rstrip(':') + ':\n    pass', d) or ''
                    if len(lit) > LONG_DEFAULT: problems.append(f'signature of {name} shows a {len(lit)}-character default: {lit[:50]!r}...')
    return problems

def path_problems(nb):
    "Outputs, and code shown on the page, that show a temporary or machine path."
    problems = []
    for i, c in enumerate(nb.cells):
        if c.cell_type == 'code' and not re.search(r'^#\|\s*echo:\s*false', c.source, re.M) and MACHINE_PATH.search(c.source):
            m = MACHINE_PATH.search(c.source)
            problems.append(f'code shown on the page holds a machine path (hide the cell or use a relative path): '
                            f'...{c.source[max(0, m.start() - 40):m.end() + 40].strip()!r}...')
        for o in c.get('outputs', []):
            text = outputs_text(o)
            m = MACHINE_PATH.search(text)
            if m: problems.append(f'an output shows a machine path: ...{text[max(0, m.start() - 40):m.end() + 40].strip()!r}...')
    return problems

def check_source(src_nb):
    "Problems nbdev would silently make of the source notebook: a several-line description, several `show_doc` in a cell."
    import nbformat
    nb = nbformat.read(src_nb, as_version=4)
    problems = []
    quoted = [l for l in nb.cells[0].source.splitlines() if l.startswith('>')]
    if len(quoted) > 1: problems.append('the description (`> ...`) spans several lines; nbdev keeps only the first')
    for c in nb.cells:
        if c.cell_type == 'code' and len(re.findall(r'^\s*show_doc\(', c.source, re.M)) > 1:
            problems.append(f'a cell holds several show_doc calls (nbdev keeps only the last): {c.source.strip().splitlines()[0][:60]!r}')
    return problems

def heading_list(dom): return [dom_text(h).replace('¶', '').strip() for h in re.findall(r'<h[2-4][^>]*>(.*?)</h[2-4]>', dom, re.S)]

def headings(dom): return set(heading_list(dom))

def check_page(dom, logged, nb, names, pages):
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
    links = {h.split('#')[0] for h in re.findall(r'href="([^"#:?]+\.html)(?:#[^"]*)?"', dom)}
    dead = sorted(l for l in links if l not in {page_name(p) for p in pages})
    if dead: problems.append(f'links to pages that are not in the site: {dead}')
    heads = headings(dom)
    missing = [n for n in names if n not in heads]
    if missing: problems.append(f'API entries missing: {missing}')
    shown = [h for h in heading_list(dom) if h in names]  # `names` come in source order
    firsts = [n for i, n in enumerate(shown) if n not in shown[:i]]
    wrong = next((f'{a} is shown before {b}, which is defined first' for a, b in zip(firsts, firsts[1:]) if names.index(a) > names.index(b)), None)
    if wrong: problems.append(f'API entries not in source order ({wrong}): give each definition its own show_doc cell, in order')
    if 'Traceback (most recent call last)' in dom or 'class="jp-RenderedText" data-mime-type="application/vnd.jupyter.stderr"' in dom and 'Error' in dom:
        problems.append('an error is shown on the page')
    m = re.search(r'data-console-errors="([^"]*)"', dom)
    errors = (json.loads(html.unescape(m.group(1))) if m else []) + [e for e in logged if e not in str(m and m.group(1))]
    if errors: problems.append(f'the browser reported errors: {errors[:5]}')
    nav = re.search(r'<nav class="page-navigation">(.*?)</nav>', dom, re.S)
    if not nav or (len(pages) > 1 and not re.search(r'class="pagination-link', nav.group(1))):
        problems.append('no previous/next navigation')
    return problems + figure_problems(dom, nb) + signature_problems(nb) + path_problems(nb)

def body_problems(page_doms, page_nbs, mods, partial=False):
    "Lecture definitions (LECTURE_BODIES, the .c files) whose body is not on their page: {page or 'site': [problems]}."
    out = {}
    def add(page, p): out.setdefault(page, []).append(p)
    for page, names in LECTURE_BODIES.items():
        if page not in page_doms and partial: continue
        if page not in page_doms:
            add('site', f'page {page!r} (a notebook named NN_{page}.ipynb in sidebar.yml) is not in the site; '
                        f'it must show {names}')
            continue
        shown = code_line_set(page_doms[page])
        for alternatives in names:
            obj, name = None, alternatives
            for name in alternatives.split('|'):
                obj, mod = resolve(name, mods)
                if obj is not None: break
            if obj is None:
                add(page, f'{alternatives}: no module of ar_lecture exports it (update LECTURE_BODIES in tools/docs_check.py)'); continue
            first, body = body_lines(obj)
            lacking = [l for l in body if l not in shown]
            if name in OUTLINE:
                if first not in shown or len(lacking) > len(body) / 2:
                    add(page, f'{name} ({mod}): not shown even in outline ({len(body) - len(lacking)} of {len(body)} body lines '
                              f'on the page); show it with `#| exports` (long ones folded with `#| code-fold: true`)')
            elif lacking:
                add(page, f'{name} ({mod}): body not on the page ({len(lacking)} of {len(body)} lines missing, first: '
                          f'{lacking[0][:70]!r}); show it with `#| exports` (long ones folded with `#| code-fold: true`)')
    c_files = sorted((ROOT/'ar_lecture').rglob('*.c'))
    if not c_files: add('site', 'no .c file under ar_lecture/: the kernel must be a real C source file shipped as package data')
    for f in c_files:
        if f.name not in C_SOURCE_PAGES: add('site', f'{f.relative_to(ROOT)}: no page declared for it in C_SOURCE_PAGES'); continue
        pages = [p for p in C_SOURCE_PAGES[f.name] if p in page_doms]
        if partial and not pages: continue
        shown = set().union(*(c_line_set(page_nbs[p]) & {l for b in code_blocks(page_doms[p]) for l in c_lines(b)} for p in pages)) if pages else set()
        lacking = [l for l in c_lines(f.read_text()) if l not in shown]
        if lacking:
            add(pages[0] if pages else 'site', f'{f.relative_to(ROOT)}: {len(lacking)} of {len(c_lines(f.read_text()))} code lines are not shown in '
                f'C-highlighted blocks (```c) on {" or ".join(C_SOURCE_PAGES[f.name])}; first: {lacking[0][:70]!r}')
    return out

def method_problems(all_heads, mods, nb_of):
    "Public methods of exported classes without an API entry on any page."
    problems = []
    for mname, mod in mods.items():
        for n in getattr(mod, '__all__', ()):
            cls = getattr(mod, n, None)
            if not isinstance(cls, type) or cls.__module__ != mod.__name__: continue
            for a, v in vars(cls).items():
                if a.startswith('_') or a in SKIP_METHODS or not callable(getattr(v, '__func__', v)) or isinstance(v, type): continue
                if f'{n}.{a}' not in all_heads:
                    problems.append(f'API entry missing: {n}.{a} (ar_lecture.{mname}; add `show_doc({n}.{a})` in its own cell '
                                    f'to {nb_of.get(mname, "its notebook")})')
    return problems

def navigation_problems(pages):
    problems = []
    cfg = yaml.safe_load((NBS/'_quarto.yml').read_text()) or {}
    site = cfg.get('website', {}) or {}
    if site.get('page-navigation') is not True: problems.append('nbs/_quarto.yml: set `website: page-navigation: true`')
    if not (site.get('sidebar', {}) or {}).get('title'): problems.append('nbs/_quarto.yml: give the sidebar a `title`')
    unlisted = sorted(p.name for p in NBS.glob('*.ipynb') if not p.name.startswith('_') and p.name not in pages)
    if unlisted: problems.append(f'notebooks not in nbs/sidebar.yml (so without previous/next links): {unlisted}')
    dupes = sorted({p for p in pages if pages.count(p) > 1})
    if dupes: problems.append(f'listed twice in nbs/sidebar.yml: {dupes}')
    return problems

def option_problems(proc_nb:Path) -> list:
    "Cells whose Quarto options (`#| key: value` lines, after nbdev's processing) set a key twice: YAML keys are unique."
    problems = []
    for c in json.loads(proc_nb.read_text())['cells']:
        if c['cell_type'] != 'code': continue
        lines = ''.join(c['source']).splitlines()
        keys = [m[1] for l in lines for m in [re.match(r'#\|\s*([\w-]+)\s*:', l)] if m]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice: problems.append(f'a cell sets {twice} twice after nbdev processing (Quarto reads cell options as YAML, '
                                  f'whose keys are unique): {next((l for l in lines if not l.startswith("#|")), "")[:60]!r}')
    return problems

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--shots', action='store_true', help='save a screenshot of each page in .docs_check/shots/')
    p.add_argument('--only', nargs='+', metavar='PAGE', help='check only these pages (`made_masks` or `03_made_masks.ipynb`); '
                   'quicker while editing a chapter; the site-wide checks are left out')
    args = p.parse_args()
    if not chromium(): sys.exit('docs check: chromium not found (Debian package `chromium`)')
    from nbdev.serve import proc_nbs
    SITE.mkdir(parents=True, exist_ok=True)
    fetch_mathjax()
    pages = sidebar_pages()
    chosen = [p for p in pages if not args.only or page_key(p) in args.only or p in args.only]
    if args.only and not chosen: sys.exit(f'docs check: none of {args.only} is a page in nbs/sidebar.yml')
    skip = {'skip_file_re': rf'^(?!(?:{"|".join(map(re.escape, chosen))})$).*\.ipynb$'} if args.only else {}
    try: proc = proc_nbs(force=True, n_workers=0, **skip)
    except Exception as e:  # a notebook nbdev cannot process: say which, in one place
        print(f'FAILED nbdev docs processing: {e}'.strip()[:2000])
        print('docs: 0 passed, 1 failed'); sys.exit(1)
    for f in NBS.glob('*'):  # pictures the pages link to, as Quarto copies them
        if f.suffix.lower() in ('.gif', '.png', '.jpg', '.svg'): shutil.copy(f, SITE/f.name)
    (mods, import_errors), nb_of = modules(), module_notebooks()
    srv = serve(SITE)
    (OUT/'shots').mkdir(exist_ok=True)
    results, doms, nbs = {}, {}, {}
    for i, nb_file in enumerate(pages):
        if nb_file not in chosen: continue
        src, proc_nb, page = NBS/nb_file, proc/nb_file, page_name(nb_file)
        if not src.exists() or not proc_nb.exists(): results[page] = [f'{nb_file} is in sidebar.yml but does not exist']; continue
        nb = render(proc_nb, SITE/page, navigation(pages, i))
        dom, logged = open_page(f'http://127.0.0.1:{srv.server_port}/{page}', OUT/'shots'/page.replace('.html', '.png') if args.shots else None)
        m = re.search(r'#\|\s*default_exp\s+([\w.]+)', src.read_text())
        names = api_names(mods.get(m.group(1)) if m else None)
        results[page] = check_source(src) + option_problems(proc_nb) + check_page(dom, logged, nb, names, pages)
        doms[page_key(nb_file)], nbs[page_key(nb_file)] = dom, nb
        print(f'  {page:22s} math {dom.count("<mjx-container"):3d}, figures {image_count(nb):2d}, API entries {len(names):2d}')
    srv.shutdown()
    bodies = body_problems(doms, nbs, mods, partial=bool(args.only))
    for key, probs in bodies.items():
        if key != 'site': results[f'{key}.html'] = results.get(f'{key}.html', []) + probs
    if import_errors: results['site-wide checks'] = import_errors
    if not args.only:
        all_heads = set().union(*map(headings, doms.values())) if doms else set()
        index_links = set(re.findall(r'href="([\w.-]+\.html)', doms.get('index', '')))
        unlinked = [page_name(p) for p in pages if p != 'index.ipynb' and page_name(p) not in index_links]
        results['site-wide checks'] = import_errors + ([f'the index page does not link to: {unlinked}'] if 'index' in doms and unlinked else [])
        results['site-wide checks'] += navigation_problems(pages) + bodies.get('site', []) + method_problems(all_heads, mods, nb_of)
    passed = failed = 0
    for page, problems in results.items():
        if problems:
            failed += 1
            print(f'FAILED {page}:' + ''.join(f'\n    - {p}' for p in problems))
        else: passed += 1; print(f'ok     {page}')
    print(f'docs: {passed} passed, {failed} failed' + (' (only the pages asked for)' if args.only else ''))
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main()
