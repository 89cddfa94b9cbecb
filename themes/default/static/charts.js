/* Draws every chart of the page from its JSON (a <script type="application/json" data-chart="ID">). */
(function () {
  "use strict";
  function draw() {
    if (typeof window.Plotly === "undefined") { return; }
    var specs = document.querySelectorAll('script[type="application/json"][data-chart]');
    var drawing = [];
    Array.prototype.forEach.call(specs, function (el) {
      var target = document.getElementById(el.getAttribute("data-chart"));
      if (!target) { return; }
      var spec = JSON.parse(el.textContent);
      drawing.push(window.Plotly.newPlot(target, spec.data, spec.layout, spec.config));
    });
    // Says when every chart has drawn: cxreport pdf prints only then.
    Promise.all(drawing).then(function () { document.documentElement.setAttribute("data-charts", "drawn"); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
