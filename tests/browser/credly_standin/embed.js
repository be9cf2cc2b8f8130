// A stand-in for https://cdn.credly.com/assets/utilities/embed.js, answered by the browser tests
// through Playwright's request routing so that no test reaches Credly. Like Credly's script, it
// finds every element with a data-share-badge-id and puts in it an iframe of
// <data-share-badge-host>/embedded_badge/<id>, sized from data-iframe-width and
// data-iframe-height. It sets the size through the DOM, which a policy without
// 'unsafe-inline' allows; a style="" attribute it would refuse.
(function () {
  "use strict";
  var elements = document.querySelectorAll("[data-share-badge-id]");
  Array.prototype.forEach.call(elements, function (element) {
    var id = element.getAttribute("data-share-badge-id");
    var host = element.getAttribute("data-share-badge-host") || "https://www.credly.com";
    var iframe = document.createElement("iframe");
    iframe.name = "acclaim-badge";
    iframe.id = "embedded-badge-" + id;
    iframe.src = host + "/embedded_badge/" + id;
    iframe.title = "View my verified achievement on Credly.";
    iframe.scrolling = "no";
    iframe.frameBorder = "0";
    iframe.style.width = element.getAttribute("data-iframe-width") + "px";
    iframe.style.height = element.getAttribute("data-iframe-height") + "px";
    element.appendChild(iframe);
  });
  // How often the script ran on this page: the tests expect exactly once.
  window.credlyEmbedRuns = (window.credlyEmbedRuns || 0) + 1;
})();
