// The dashboard's revenue chart. The figures come from the page's <script type="application/json"
// id="revenue-data"> (Django's json_script): plain numbers as text, never localized.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var source = document.getElementById("revenue-data");
  var canvas = document.getElementById("revenue-chart");
  if (!source || !canvas || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var rupiah = new Intl.NumberFormat("id-ID");
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{label: data.label, data: data.values.map(Number)}]
    },
    options: {
      animation: false,
      scales: {y: {beginAtZero: true, ticks: {callback: function (value) { return rupiah.format(value); }}}},
      plugins: {tooltip: {callbacks: {label: function (item) { return "Rp " + rupiah.format(item.parsed.y); }}}}
    }
  });
});
