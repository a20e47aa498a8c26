// The waiting room's screen: htmx polls the numbers; when a number is called (the board's
// data-call-stamp changes) the screen flashes and chimes. Browsers allow sound only after a
// click or key on the page: "Turn on the sound" once when the screen is set up.
(function () {
  var audio = null;
  var lastStamp = null;

  function chime() {
    document.body.dataset.chimes = String(Number(document.body.dataset.chimes || "0") + 1);
    if (!audio) { return; }
    // Two soft tones (ding-dong) made with WebAudio: no sound file, nothing fetched.
    [[880, 0], [659.25, 0.45]].forEach(function (tone) {
      var start = audio.currentTime + tone[1];
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.4, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.9);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + 1);
    });
  }

  function check() {
    var board = document.getElementById("queue-board");
    if (!board) { return; }
    var stamp = board.dataset.callStamp;
    if (lastStamp !== null && stamp !== lastStamp) {
      board.querySelectorAll("[data-queue-called]").forEach(function (el) { el.classList.add("flash"); });
      chime();
    }
    lastStamp = stamp;
  }

  document.addEventListener("DOMContentLoaded", function () {
    check();
    var button = document.getElementById("queue-sound");
    if (button) {
      button.addEventListener("click", function () {
        var Context = window.AudioContext || window.webkitAudioContext;
        if (Context && !audio) { audio = new Context(); }
        if (audio && audio.state === "suspended") { audio.resume(); }
        button.hidden = true;
        chime();
      });
    }
  });
  document.addEventListener("htmx:afterSettle", check);
})();
