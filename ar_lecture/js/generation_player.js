// The generation player: the lecture's incremental samplers (NADE, a one-hidden-layer MADE, and a one-hidden-layer
// order-agnostic deep NADE) run in the page.
// arLecture.sampling holds the mathematics (checked against the Python samplers); arLecture.players the widgets.
(function () {
  'use strict';
  const ns = window.arLecture = window.arLecture || {};

  // ---- weights: base64 of little-endian float32 / int8 with one float32 scale per row ----
  function bytes(b64) {
    const s = atob(b64), out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  const floats = (b64) => new Float32Array(bytes(b64).buffer);
  function dequantize(m) {  // row r of the matrix is q[r, :] * scale[r], rounded to float32 as torch does
    const q = new Int8Array(bytes(m.q).buffer), scale = floats(m.scale), out = new Float32Array(q.length);
    const cols = m.shape[1];
    for (let i = 0; i < q.length; i++) out[i] = q[i] * scale[Math.floor(i / cols)];
    return out;
  }
  const ACTIVATIONS = { sigmoid: (a) => 1 / (1 + Math.exp(-a)), tanh: Math.tanh, relu: (a) => Math.max(a, 0) };

  // Each model keeps a running state `a` (d pre-activations, float32 like torch) and gives, at step t of the
  // sampler, the logit of the input k drawn then (`logit`), and folds the drawn x_k into `a` (`update`).
  // `first`: the ordering that completion keeps, the observed pixels taken first (only for order-agnostic models).
  const MODELS = {
    NADE: (data) => ({  // a_1 = b, h_t = act(a_t) (h_1 learned), logit = V_k . h_t + c_k, a_{t+1} = a_t + W[:, k] x_k
      kind: 'NADE', name: data.name, n: data.n_in, d: data.n_hidden, ordering: data.ordering, anyOrder: false,
      act: ACTIVATIONS[data.activation], W: dequantize(data.W), V: dequantize(data.V),
      b: floats(data.b), c: floats(data.c), h1: data.h1 ? floats(data.h1) : null,
      logit(s, k) {
        let l = this.c[k];
        for (let j = 0; j < this.d; j++) l += (s.t === 0 && this.h1 ? this.h1[j] : this.act(s.a[j])) * this.V[k * this.d + j];
        return l;
      },
      update(s, k, xk) { if (xk) for (let j = 0; j < this.d; j++) s.a[j] += this.W[j * this.n + k]; },
    }),
    MADE: (data) => ({  // input number q = t + 1; unit j (number m_j) reads inputs numbered <= m_j, output q reads m_j < q
      kind: 'MADE', name: data.name, n: data.n_in, d: data.n_hidden, ordering: data.ordering,
      anyOrder: data.any_order, first: [...Array(data.n_in).keys()], m: data.numbers, b: floats(data.b), c: floats(data.c), W: dequantize(data.W), V: dequantize(data.V),
      logit(s, k) {
        let l = this.c[k];
        for (let j = 0; j < this.d; j++) if (this.m[j] <= s.t) l += Math.max(s.a[j], 0) * this.V[k * this.d + j];
        return l;
      },
      update(s, k, xk) { if (xk) for (let j = 0; j < this.d; j++) if (this.m[j] > s.t) s.a[j] += this.W[j * this.n + k]; },
    }),
    DeepNADE: (data) => ({  // input [x * m, m]: a = b + W[:, :n] (x * m) + W[:, n:] m; h = act(a), logit = c_k + V_k . h
      kind: 'DeepNADE', name: data.name, n: data.n_in, d: data.n_hidden, ordering: data.ordering, anyOrder: true,
      first: data.ordering, act: ACTIVATIONS[data.activation], W: dequantize(data.W), V: dequantize(data.V),
      b: floats(data.b), c: floats(data.c),
      logit(s, k) {
        let l = this.c[k];
        for (let j = 0; j < this.d; j++) l += this.act(s.a[j]) * this.V[k * this.d + j];
        return l;
      },
      update(s, k, xk) {  // pixel k is now observed: a += W[:, k] x_k + W[:, n + k], in float32 as torch adds it
        const m = 2 * this.n;
        for (let j = 0; j < this.d; j++) s.a[j] += Math.fround((xk ? this.W[j * m + k] : 0) + this.W[j * m + this.n + k]);
      },
    }),
  };
  const load = (data) => MODELS[data.kind](data);

  // ---- the sampler: x_k = [u_k < p(x_k = 1 | x_<k)] in `ordering` ----
  function logSigmoid(l) { return l >= 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l)); }
  class Sampler {
    constructor(model, u, ordering) {  // u: n uniforms, u[k] decides input k (u < 0 forces 1, u >= 1 forces 0)
      this.model = model; this.u = u; this.ordering = ordering || model.ordering;
      this.t = 0; this.logp = 0;
      this.a = new Float32Array(model.b);
      this.x = new Uint8Array(model.n);
      this.p = new Float32Array(model.n).fill(NaN);
    }
    get done() { return this.t >= this.model.n; }
    step() {  // draw the next variable of the ordering; returns its index
      const k = this.ordering[this.t], logit = this.model.logit(this, k);
      const p = Math.fround(1 / (1 + Math.exp(-logit)));
      const xk = this.u[k] < p ? 1 : 0;
      this.x[k] = xk; this.p[k] = p;
      this.logp += xk ? logSigmoid(logit) : logSigmoid(-logit);
      this.model.update(this, k, xk);
      this.t++;
      return k;
    }
  }
  function sample(model, u, ordering) {  // one full sample: {x, p, logp}
    const s = new Sampler(model, u, ordering);
    while (!s.done) s.step();
    return { x: s.x, p: s.p, logp: s.logp };
  }
  function forced(u, x, observed) {  // completion's uniforms: observed pixels forced to x (-1 draws 1, 2 draws 0)
    return u.map((v, k) => (observed[k] ? (x[k] ? -1 : 2) : v));
  }
  function observedFirst(observed, ordering) {  // the observed pixels first, then the others, each in `ordering`
    const idx = ordering ? Array.from(ordering) : [...observed.keys()];
    return [...idx.filter((k) => observed[k]), ...idx.filter((k) => !observed[k])];
  }
  function uniforms(n, seed) {  // the page's own generator (mulberry32): 24-bit uniforms, exact in float32
    let s = seed >>> 0;
    const u = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (s + 0x6D2B79F5) >>> 0;
      let r = Math.imul(s ^ (s >>> 15), 1 | s);
      r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
      u[i] = ((r ^ (r >>> 14)) >>> 8) / 16777216;
    }
    return u;
  }
  ns.sampling = { load, Sampler, sample, forced, observedFirst, uniforms };

  // ---- the widget ----
  const el = ns.el;
  const REGIONS = { top: 'top rows', bottom: 'bottom rows', left: 'left columns', right: 'right columns' };

  class Player {
    constructor(root, data) {
      this.models = data.models.map(load);
      this.model = this.models[0];
      const n = this.model.n;
      this.side = Math.round(Math.sqrt(n)); this.scale = 8;
      this.mode = 'generate'; this.region = 'top'; this.lines = 14; this.drawing = new Uint8Array(n); this.cursor = 0;
      this.timer = null; this.perFrame = 1;
      this.build(root);
      this.reset(data.seed || 0);
      this.setMode('generate');
    }

    build(root) {
      const px = this.side * this.scale, button = (text, f) => el('button', { type: 'button', onclick: f }, text);
      const canvas = (label) => el('canvas', { width: px, height: px, 'aria-label': label, class: 'arl-canvas' });
      this.image = canvas('the image being generated; in draw mode, click or use the arrow keys and space to set pixels');
      this.image.tabIndex = 0;
      this.pmap = canvas('map of p(x_k = 1 | x_<k) for the pixels drawn so far');
      this.modelSelect = el('select', { 'aria-label': 'model', onchange: () => this.setModel(+this.modelSelect.value) },
                            ...this.models.map((m, i) => el('option', { value: i }, m.name)));
      this.playButton = button('Play', () => this.toggle());
      this.stepButton = button('Step', () => this.step(1));
      this.rowButton = button('Row', () => this.step(this.side));
      this.seedInput = el('input', { type: 'number', min: 0, value: 0, 'aria-label': 'seed', class: 'arl-seed',
                                     onchange: () => this.reset(+this.seedInput.value) });
      this.newButton = button('New seed', () => this.reset(+this.seedInput.value + 1));
      this.speed = el('select', { 'aria-label': 'pixels per frame', onchange: () => { this.perFrame = +this.speed.value; } },
                      ...[1, 4, 28].map((v) => el('option', { value: v }, `${v} px/frame`)));
      this.modeButton = button('Draw & complete', () => this.setMode(this.mode === 'draw' ? 'generate' : 'draw'));
      this.regionSelect = el('select', { 'aria-label': 'which pixels you draw', onchange: () => this.setRegion(this.regionSelect.value, this.lines) },
                             ...Object.entries(REGIONS).map(([v, t]) => el('option', { value: v }, t)));
      this.linesInput = el('input', { type: 'range', min: 1, max: this.side - 1, value: this.lines,
                                      'aria-label': 'how many rows or columns you draw',
                                      oninput: () => this.setRegion(this.region, +this.linesInput.value) });
      this.linesLabel = el('span');
      this.drawBar = el('div', { class: 'arl-bar' }, 'You draw the ', this.regionSelect, ' ', this.linesInput, this.linesLabel,
                        ' ', button('Clear', () => { this.drawing.fill(0); this.restart(); }), button('Complete', () => this.complete()));
      this.status = el('div', { class: 'arl-status' });
      this.note = el('div', { class: 'arl-note' });
      root.append(
        el('div', { class: 'arl-bar' }, ...(this.models.length > 1 ? [this.modelSelect, ' '] : []), this.playButton,
           this.stepButton, this.rowButton, ' seed ', this.seedInput, this.newButton, this.speed, this.modeButton),
        this.drawBar,
        el('div', { class: 'arl-panels' },
           el('figure', {}, this.image, el('figcaption', {}, 'x (grey: not drawn yet)')),
           el('figure', {}, this.pmap, el('figcaption', {}, 'p(x_k = 1 | x_<k)'))),
        this.status, this.note);
      this.image.addEventListener('pointerdown', (e) => this.paint(e, true));
      this.image.addEventListener('pointermove', (e) => { if (e.buttons) this.paint(e, false); });
      this.image.addEventListener('keydown', (e) => this.key(e));
    }

    // state: also the API the checks drive
    reset(seed) {
      this.seed = seed; this.seedInput.value = seed;
      this.u = uniforms(this.model.n, seed);
      this.restart();
    }
    restart() { this.pause(); this.sampler = new Sampler(this.model, this.u); this.render(); }
    setModel(i) {
      this.model = this.models[i]; this.modelSelect.value = i;
      if (!this.model.anyOrder) this.region = 'top';
      this.setMode(this.mode);
    }
    observed() {  // the pixels the reader draws: a prefix of the ordering for a fixed-order model, else a region
      const n = this.model.n, s = this.side, L = this.lines, obs = new Uint8Array(n);
      if (!this.model.anyOrder) { for (let i = 0; i < L * s; i++) obs[this.model.ordering[i]] = 1; return obs; }
      const inside = { top: (r) => r < L, bottom: (r) => r >= s - L, left: (r, c) => c < L, right: (r, c) => c >= s - L }[this.region];
      for (let k = 0; k < n; k++) obs[k] = inside(Math.floor(k / s), k % s) ? 1 : 0;
      return obs;
    }
    setRegion(region, lines) {
      this.region = this.model.anyOrder ? region : 'top'; this.lines = lines;
      this.regionSelect.value = this.region; this.linesInput.value = lines;
      this.restart();
    }
    setMode(mode) {
      this.mode = mode;
      this.drawBar.hidden = mode !== 'draw';
      this.regionSelect.disabled = !this.model.anyOrder;
      this.modeButton.textContent = mode === 'draw' ? 'Back to sampling' : 'Draw & complete';
      this.modeButton.setAttribute('aria-pressed', mode === 'draw');
      const natural = this.model.ordering.every((k, i) => k === i);
      this.note.textContent = mode !== 'draw'
        ? `Each pixel is drawn from p(x_k = 1 | x_<k) given the pixels drawn before it, in the model's ordering` +
          (natural ? ' (row by row from the top left).' : ' (a random ordering: the digit condenses out of scattered pixels).')
        : this.model.anyOrder
          ? `This ${this.model.kind} is order-agnostic: it completes any set of pixels. You draw the pixels of the region you choose; ` +
            'the model draws the others from p(x_rest | x_drawn), in an ordering that takes your pixels first.'
          : `This ${this.model.kind} has one fixed ordering, so what you draw must be a prefix of it` + (natural ? ' (the top rows)' : '') +
            '; the model draws the rest from p(x_rest | x_drawn).';
      this.restart();
    }
    setPixel(k, v) {  // draw mode: set pixel k of the drawing, if the reader draws it
      if (!this.observed()[k]) return false;
      this.drawing[k] = v ? 1 : 0;
      this.restart();
      return true;
    }
    complete() {  // sample with the drawn pixels forced, then play the rest
      const obs = this.observed(), m = obs.reduce((a, b) => a + b, 0);
      const ordering = this.model.anyOrder ? observedFirst(obs, this.model.first) : this.model.ordering;
      this.pause();
      this.sampler = new Sampler(this.model, forced(this.u, this.drawing, obs), ordering);
      while (this.sampler.t < m) this.sampler.step();
      this.render();
      this.play();
    }
    step(k) {
      for (let i = 0; i < k && !this.sampler.done; i++) this.sampler.step();
      this.render();
      if (this.sampler.done) this.pause();
    }
    play() {
      if (this.timer || this.sampler.done) return;
      this.playButton.textContent = 'Pause';
      const tick = () => { this.step(this.perFrame); if (this.timer) this.timer = setTimeout(tick, 15); };
      this.timer = setTimeout(tick, 15);
    }
    pause() {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null; this.playButton.textContent = 'Play';
    }
    toggle() {
      if (this.timer) return this.pause();
      if (this.sampler.done) this.sampler = new Sampler(this.model, this.sampler.u, this.sampler.ordering);  // again
      this.play();
    }
    state() {
      const s = this.sampler;
      return { model: this.model.kind, t: s.t, x: Array.from(s.x), p: Array.from(s.p), logp: s.logp, u: Array.from(this.u),
               seed: this.seed, mode: this.mode, ordering: Array.from(s.ordering), observed: Array.from(this.observed()),
               drawing: Array.from(this.drawing) };
    }

    // drawing by pointer and keyboard
    paint(e, start) {
      if (this.mode !== 'draw') return;
      const r = this.image.getBoundingClientRect();
      const col = Math.floor((e.clientX - r.left) / r.width * this.side), row = Math.floor((e.clientY - r.top) / r.height * this.side);
      if (col < 0 || row < 0 || col >= this.side || row >= this.side) return;
      const k = row * this.side + col;
      if (start) this.ink = this.drawing[k] ? 0 : 1;
      this.cursor = k;
      this.setPixel(k, this.ink);
    }
    key(e) {
      if (this.mode !== 'draw') return;
      const s = this.side, moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -s, ArrowDown: s };
      if (e.key in moves) this.cursor = Math.min(Math.max(this.cursor + moves[e.key], 0), s * s - 1);
      else if (e.key === ' ' || e.key === 'Enter') this.setPixel(this.cursor, !this.drawing[this.cursor]);
      else return;
      e.preventDefault(); this.render();
    }

    // pictures
    render() {
      const s = this.sampler, n = this.model.n, sc = this.scale, draw = this.mode === 'draw' && s.t === 0;
      const obs = draw ? this.observed() : null;
      const fill = (ctx, k, colour) => { ctx.fillStyle = colour; ctx.fillRect((k % this.side) * sc, Math.floor(k / this.side) * sc, sc, sc); };
      const grey = (v) => { const g = Math.round(255 * (1 - v)); return `rgb(${g},${g},${g})`; };  // 0 white, 1 black
      const box = (ctx, k, colour) => {
        ctx.strokeStyle = colour; ctx.lineWidth = 2;
        ctx.strokeRect((k % this.side) * sc + 1, Math.floor(k / this.side) * sc + 1, sc - 2, sc - 2);
      };
      const ic = this.image.getContext('2d'), pc = this.pmap.getContext('2d');
      const drawn = new Uint8Array(n);
      for (let i = 0; i < s.t; i++) drawn[s.ordering[i]] = 1;
      for (let k = 0; k < n; k++) {
        fill(ic, k, grey(drawn[k] ? s.x[k] : obs && obs[k] ? (this.drawing[k] ? 1 : 0) : 0.3));
        fill(pc, k, drawn[k] ? grey(s.p[k]) : '#e7ecf5');
      }
      if (!s.done && !draw) { box(ic, s.ordering[s.t], '#e8590c'); box(pc, s.ordering[s.t], '#e8590c'); }  // the next pixel
      if (draw) box(ic, this.cursor, '#1c7ed6');
      const count = this.observed().reduce((a, b) => a + b, 0);
      this.linesLabel.textContent = ` ${this.lines} of ${this.side} (${count} pixels)`;
      this.status.textContent = `step ${s.t} of ${n} · log p(x drawn so far) = ${s.logp.toFixed(2)} nats` +
        (s.done ? ` · the whole image: log p(x) = ${s.logp.toFixed(2)} nats` : '');
    }
  }

  ns.players = ns.players || [];
  ns.mountPlayer = (script) => ns.mount(script, Player, ns.players);
})();
