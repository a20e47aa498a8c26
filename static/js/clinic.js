// The clinic's small behaviours. No inline scripts anywhere (Content-Security-Policy).
document.addEventListener("DOMContentLoaded", function () {
  // Buttons that print the page: <button data-print>.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Forms that ask before a destructive action: <form data-confirm="...">. Delegated from the
  // document so forms that htmx swaps in later (the board refreshes itself) ask too.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });
});
