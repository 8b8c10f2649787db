// Draws the dashboard's charts from the JSON the server put in #chart-data.
// No inline script or style anywhere: the page runs under `Content-Security-Policy: default-src 'self'`.
(function () {
  "use strict";

  var dataEl = document.getElementById("chart-data");
  if (!dataEl) {
    return;
  }
  var charts = JSON.parse(dataEl.textContent || "{}");
  if (typeof window.Chart === "undefined") {
    // The tables below each chart carry the same figures; say why the charts are missing.
    document.documentElement.classList.add("no-charts");
    return;
  }
  var Chart = window.Chart;
  var root = getComputedStyle(document.documentElement);
  var colour = function (name, fallback) {
    return root.getPropertyValue(name).trim() || fallback;
  };
  var accent = colour("--accent", "#1f5fbf");
  var danger = colour("--danger", "#b3261e");
  var ink = colour("--ink-soft", "#4a5261");
  var grid = colour("--grid", "#e3e7ee");
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  Chart.defaults.font.family = root.getPropertyValue("font-family");
  Chart.defaults.color = ink;
  Chart.defaults.borderColor = grid;
  Chart.defaults.animation = reduceMotion ? false : { duration: 300 };

  var fmt = new Intl.NumberFormat();
  var shortDay = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });

  function dayLabel(iso) {
    var d = new Date(iso + "T00:00:00Z");
    return isNaN(d.getTime()) ? iso : shortDay.format(d);
  }

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "\u2026" : text;
  }

  function tooltipLabel(ctx) {
    var v = ctx.raw;
    return v === null || v === undefined ? "suppressed" : fmt.format(v) + " messages";
  }

  function perDay(canvas, series) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: series.codes.map(dayLabel),
        datasets: [{
          label: "Messages",
          data: series.values,
          backgroundColor: accent,
          borderRadius: 3,
          maxBarThickness: 28,
        }],
      },
      options: {
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: tooltipLabel } },
        },
        scales: {
          x: { grid: { display: false }, ticks: { autoSkip: true, maxRotation: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  }

  function bars(canvas, series, dim) {
    var rows = series.labels.length;
    // CSSOM, not a style attribute: allowed under the page's CSP. One row per bar, readable on a phone.
    canvas.parentElement.style.height = Math.max(96, rows * 30 + 36) + "px";
    var colours = series.codes.map(function (code) {
      return dim === "topic" && code === "danger" ? danger : accent;
    });
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: [{
          label: "Messages",
          data: series.values,
          backgroundColor: colours,
          borderRadius: 3,
          maxBarThickness: 22,
        }],
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: tooltipLabel } },
        },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0, maxTicksLimit: canvas.clientWidth < 360 ? 4 : 8 } },
          y: {
            grid: { display: false },
            ticks: {
              callback: function (value) {
                var label = series.labels[value];
                if (series.values[value] === null) {
                  label += " (suppressed)";
                }
                // The axis may take half the chart's width; about 7 px per character.
                return shorten(label, Math.max(12, Math.floor(canvas.clientWidth / 2 / 7.5)));
              },
            },
          },
        },
      },
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var key = canvas.getAttribute("data-chart");
    var series = charts[key];
    if (!series || !series.values.length) {
      return;
    }
    if (canvas.getAttribute("data-kind") === "days") {
      perDay(canvas, series);
    } else {
      bars(canvas, series, key);
    }
    canvas.setAttribute("data-rendered", "true");
  });
})();
