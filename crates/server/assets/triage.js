// Triage's own script (no build step): keyboard use of the agent queue.
// j / k move between tickets, Enter opens the focused one (the browser's own
// link behaviour), n takes the next ticket. Keys typed into a field are left
// alone.
(function () {
  "use strict";
  function links() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue a.open"));
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (e.key === "j" || e.key === "k") {
      if (all.length === 0) return;
      var next = e.key === "j" ? Math.min(at + 1, all.length - 1) : Math.max(at - 1, 0);
      all[at < 0 ? 0 : next].focus();
      e.preventDefault();
    } else if (e.key === "n") {
      var form = document.getElementById("take-next");
      if (form) { form.submit(); e.preventDefault(); }
    }
  });
})();

// The queue's rows refresh themselves (htmx): keep the ticket the keyboard
// was on focused across a refresh.
(function () {
  "use strict";
  var focused = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var a = document.activeElement;
    focused = a && a.classList && a.classList.contains("open") ? a.getAttribute("href") : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!focused) return;
    var again = document.querySelector('#queue a.open[href="' + focused + '"]');
    if (again) again.focus();
  });
})();
