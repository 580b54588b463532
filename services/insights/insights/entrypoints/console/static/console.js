// Draws every <canvas data-kind> from the JSON block beside it (no inline scripts: the CSP forbids them).
(function () {
  const palette = ["#2f80ed", "#12a17a", "#f2994a", "#9b51e0", "#eb5757", "#56ccf2"];
  const names = {
    "won_revenue": "Won revenue", "pipeline.total": "Open pipeline", "win_rate": "Win rate",
  };
  function draw(canvas) {
    const block = document.querySelector('script[data-for="' + canvas.id + '"]');
    if (!block || typeof Chart === "undefined") return;
    const data = JSON.parse(block.textContent || "{}");
    const series = data.series || {};
    const datasets = Object.keys(series).map(function (key, i) {
      const isRate = key.indexOf("rate") >= 0;
      return {
        label: names[key] || key, data: series[key].map(function (v) { return v === null ? null : Number(v) * (isRate ? 100 : 1); }),
        backgroundColor: palette[i % palette.length], borderColor: palette[i % palette.length],
        type: isRate && Object.keys(series).length > 1 ? "line" : canvas.dataset.kind, yAxisID: isRate ? "rate" : "y",
      };
    });
    const hasRate = datasets.some(function (d) { return d.yAxisID === "rate"; });
    const hasMoney = datasets.some(function (d) { return d.yAxisID === "y"; });
    const scales = {};
    if (hasMoney) scales.y = { beginAtZero: true, ticks: { callback: function (v) { return Number(v).toLocaleString(); } } };
    if (hasRate) scales.rate = { beginAtZero: true, position: hasMoney ? "right" : "left", ticks: { callback: function (v) { return v + " %"; } }, grid: { drawOnChartArea: !hasMoney } };
    new Chart(canvas, {
      type: canvas.dataset.kind, data: { labels: data.labels || [], datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: scales,
                 plugins: { legend: { position: "bottom" } } },
    });
    canvas.dataset.drawn = "true";
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-kind]").forEach(draw);
  });
})();
