// Shared by the lecture's widgets: building page elements, and building a widget where its script stands.
(function () {
  'use strict';
  const ns = window.arLecture = window.arLecture || {};

  // el('button', {type: 'button', onclick: f}, 'Play'): attributes, `on...` listeners, children
  ns.el = function (tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    e.append(...children);
    return e;
  };

  // The widget's HTML is: its data (JSON), an .arl-body to build in, the scripts, and a call of this with the last script.
  ns.mount = function (script, Widget, registry) {
    const root = script.parentElement;
    const data = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
    const body = root.querySelector('.arl-body');
    body.replaceChildren();  // the text shown where scripts do not run
    const widget = new Widget(body, data);
    registry.push(widget);
    return widget;
  };
})();
