/* Report charts: each .vega-chart holds a Vega-Lite spec (data-vega-spec, with its data);
   compiled by vega-lite and run by vega with vega-interpreter, so no expression is ever
   turned into code with eval/new Function (the CSP has no 'unsafe-eval'). The SVG renderer
   draws through the DOM API, no inline style. The table under each chart has its figures. */
(function () {
  "use strict";

  function render(el) {
    if (el.dataset.rendered) return;
    var spec;
    try {
      spec = JSON.parse(el.dataset.vegaSpec);
    } catch (e) {
      return;
    }
    var vgSpec = window.vegaLite.compile(spec).spec;
    var runtime = window.vega.parse(vgSpec, null, { ast: true });
    var view = new window.vega.View(runtime, {
      expr: window.vegaInterpreter.expressionInterpreter,
      renderer: "svg",
      container: el,
      hover: true
    });
    el.dataset.rendered = "pending";
    view.runAsync().then(function () {
      el.dataset.rendered = "yes";
      var svg = el.querySelector("svg");
      if (svg) {
        svg.setAttribute("aria-hidden", "true");
        svg.setAttribute("focusable", "false");
      }
    });
  }

  function renderAll(root) {
    if (!window.vega || !window.vegaLite || !window.vegaInterpreter) return;
    (root || document).querySelectorAll(".vega-chart[data-vega-spec]").forEach(render);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { renderAll(); });
  } else {
    renderAll();
  }
})();
