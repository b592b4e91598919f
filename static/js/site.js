// Site-wide behaviour: the mobile menu toggle. No inline scripts anywhere (Content-Security-Policy).
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".nav-toggle");
  var list = document.getElementById("menu-chinh");
  if (toggle && list) {
    toggle.addEventListener("click", function () {
      var open = list.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // The staff tools' menu folds the same way on phones.
  var staffToggle = document.querySelector(".staff-nav-toggle");
  var staffList = document.getElementById("menu-cong-cu");
  if (staffToggle && staffList) {
    staffToggle.addEventListener("click", function () {
      var open = staffList.classList.toggle("open");
      staffToggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
});
