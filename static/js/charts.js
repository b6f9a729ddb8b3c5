/* Draws every Plotly chart on the page from its JSON (put there with json_script), so pages
   need no inline script. A chart with "links" sends a click on a row to that row's page. */
(function () {
  "use strict";

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-chart"));
    if (!source || typeof Plotly === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var config = { displayModeBar: false, responsive: true, displaylogo: false };
    Plotly.newPlot(container, spec.data, spec.layout, config).then(function () {
      container.setAttribute("data-drawn", "true");
    });
    if (spec.links) {
      container.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (!point) {
          return;
        }
        var row = typeof point.pointIndex === "number" ? point.pointIndex : point.pointNumber;
        if (Array.isArray(row)) {
          row = row[0];
        }
        var link = spec.links[row];
        if (link) {
          window.location.assign(link);
        }
      });
    }
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (select) {
      select.addEventListener("change", function () {
        select.form.submit();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
