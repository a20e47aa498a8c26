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

// Dates typed as digits read dd-mm-yyyy (core.forms): 27071967 becomes 27-07-1967, 270767 stays
// for the server to refuse; 1330 becomes 13.30 in a time field. The server reads both forms.
document.addEventListener("focusout", function (event) {
  var input = event.target;
  if (!(input instanceof HTMLInputElement)) { return; }
  var value = input.value.trim();
  if (input.hasAttribute("data-clinic-date") && /^\d{8}$/.test(value)) {
    input.value = value.slice(0, 2) + "-" + value.slice(2, 4) + "-" + value.slice(4);
  } else if (input.hasAttribute("data-clinic-time") && /^\d{3,4}$/.test(value)) {
    value = value.padStart(4, "0");
    input.value = value.slice(0, 2) + "." + value.slice(2);
  }
});

// Keyboard: "/" goes to the patient search (the navbar's, or the page's own search box); a
// key named by data-hotkey="b" follows that link (the patient page books with B). Not while
// typing in a field, and never with Ctrl, Alt or Meta (the browser's own shortcuts).
document.addEventListener("keydown", function (event) {
  if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) { return; }
  var target = event.target;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
  if (event.key === "/") {
    var search = document.querySelector("[data-search-focus]") || document.getElementById("quick-search");
    if (search) { event.preventDefault(); search.focus(); search.select(); }
    return;
  }
  var key = (event.key || "").toLowerCase();
  var link = key.length === 1 && document.querySelector('[data-hotkey="' + key + '"]');
  if (link) { event.preventDefault(); link.click(); }
});

// The booking form's free times (templates/scheduling/partials/booking_summary.html): a button
// puts its date and time into the form's fields. Delegated: htmx swaps the buttons in.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-slot-time]");
  if (!button || !button.form) { return; }
  button.form.elements.date.value = button.dataset.slotDate;
  button.form.elements.time.value = button.dataset.slotTime;
  button.form.elements.time.focus();
});

// A field that takes a name from its suggestions (<input list="..." data-suggest-pick>, the
// prescription's drugs): Enter on a name that is not one of them yet does not send the form,
// which would only come back with "no drug has this name". When one suggestion matches what is
// typed, Enter takes it; when several do, the person picks one (arrows, or more letters). Enter
// on a whole name sends the form as in any field. (A suggestion picked from the browser's list
// with the arrows and Enter never reaches the page: the list takes that Enter.)
document.addEventListener("keydown", function (event) {
  var input = event.target;
  if (event.key !== "Enter" || !(input instanceof HTMLInputElement) || !input.hasAttribute("data-suggest-pick")) { return; }
  var typed = input.value.trim().toLowerCase();
  var options = input.list ? Array.prototype.slice.call(input.list.options) : [];
  if (!typed || options.some(function (option) { return option.value.toLowerCase() === typed; })) { return; }
  var matches = options.filter(function (option) {
    return (option.value + " " + option.textContent).toLowerCase().indexOf(typed) !== -1;
  });
  if (matches.length === 0) { return; }
  event.preventDefault();
  if (matches.length === 1) { input.value = matches[0].value; }
});
