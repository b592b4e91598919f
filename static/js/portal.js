// Public site: font size (A− / A / A+) and contrast, kept in cookies so the server renders them on every page;
// print button; no inline scripts (Content-Security-Policy).
(function () {
  var SIZES = ["small", "", "large", "xlarge"];
  var CLASSES = { small: "font-small", large: "font-large", xlarge: "font-xlarge" };
  var YEAR = 365 * 24 * 3600;

  function readCookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }
  function writeCookie(name, value) {
    document.cookie = name + "=" + encodeURIComponent(value) + "; path=/; max-age=" + (value ? YEAR : 0) + "; samesite=lax";
  }
  // Which button reads as pressed for each size (public_tags.FONT_PRESSED renders the same on the server).
  var PRESSED = { small: "down", "": "reset", large: "up", xlarge: "up" };
  function applyFont(size) {
    var root = document.documentElement;
    Object.keys(CLASSES).forEach(function (key) { root.classList.remove(CLASSES[key]); });
    if (CLASSES[size]) { root.classList.add(CLASSES[size]); }
    var pressed = PRESSED[size] || "reset";
    document.querySelectorAll("[data-font]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-font") === pressed ? "true" : "false");
    });
  }
  function applyContrast(high) {
    document.documentElement.classList.toggle("contrast-high", high);
    document.querySelectorAll("[data-contrast]").forEach(function (button) {
      button.setAttribute("aria-pressed", high ? "true" : "false");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    applyContrast(readCookie("htx_contrast") === "high");
    applyFont(SIZES.indexOf(readCookie("htx_font")) < 0 ? "" : readCookie("htx_font"));
    document.querySelectorAll("[data-font]").forEach(function (button) {
      button.addEventListener("click", function () {
        var index = SIZES.indexOf(readCookie("htx_font"));
        if (index < 0) { index = 1; }
        var action = button.getAttribute("data-font");
        if (action === "up") { index = Math.min(SIZES.length - 1, index + 1); }
        else if (action === "down") { index = Math.max(0, index - 1); }
        else { index = 1; }
        writeCookie("htx_font", SIZES[index]);
        applyFont(SIZES[index]);
      });
    });
    document.querySelectorAll("[data-contrast]").forEach(function (button) {
      button.addEventListener("click", function () {
        var high = readCookie("htx_contrast") !== "high";
        writeCookie("htx_contrast", high ? "high" : "");
        applyContrast(high);
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // A poll form sends once: a second click while the first is on its way does nothing.
    document.querySelectorAll(".poll-form").forEach(function (form) {
      form.addEventListener("submit", function () {
        var button = form.querySelector("button[type=submit]");
        if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
      });
    });
  });
})();
