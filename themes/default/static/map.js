/* The journey map's compact view: the button above the map (hidden without JavaScript) switches the map between
   its full columns and columns that share the box's width, and remembers the choice in this browser. */
(function () {
  "use strict";
  var KEY = "cxreport.map-view";

  function remembered() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function remember(view) {
    try { window.localStorage.setItem(KEY, view); } catch (e) { /* storage off: the choice lasts this page */ }
  }

  function show(button, box, compact) {
    box.classList.toggle("map-compact", compact);
    button.setAttribute("aria-pressed", compact ? "true" : "false");
    if (window.Plotly) {  // the emotion curve spans the map's columns: drawn again at their new width
      Array.prototype.forEach.call(box.querySelectorAll(".js-plotly-plot"), function (gd) { window.Plotly.Plots.resize(gd); });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".map-toggle"), function (button) {
    var box = document.getElementById(button.getAttribute("aria-controls"));
    if (!box) { return; }
    button.hidden = false;
    show(button, box, remembered() === "compact");
    button.addEventListener("click", function () {
      var compact = !box.classList.contains("map-compact");
      show(button, box, compact);
      remember(compact ? "compact" : "full");
    });
  });
})();
