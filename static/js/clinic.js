// The clinic's small behaviours. No inline scripts anywhere (Content-Security-Policy).
document.addEventListener("DOMContentLoaded", function () {
  // Buttons that print the page: <button data-print>.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Forms that ask before a destructive action: <form data-confirm="...">.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
});
