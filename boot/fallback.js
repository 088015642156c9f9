// Inlined into the widget's pages by Trunk (index.html, loading.html), after the boot screen.
(function () {
  // In the payer's language, chosen as the widget chooses it (`?locale=`, src/credentials.rs).
  var es = /[?&]locale=es(?:[-_&]|$)/i.test(location.search);
  var boot = document.getElementById('checkout-boot');
  if (es) boot.querySelector('[data-boot-text]').textContent = 'Cargando el pago seguro…';
  // The widget never started: its script or wasm did not load or run (network, an old
  // browser). A sentence and a retry instead of an endless spinner. Once the widget shows its
  // first screen, the boot screen is gone and errors are the widget's own business.
  addEventListener('error', function (e) {
    var fromScript = e instanceof ErrorEvent || (e.target && e.target.tagName === 'SCRIPT');
    if (!fromScript || !boot.isConnected || boot.getAttribute('data-failed')) return;
    boot.setAttribute('data-failed', '1');
    var box = document.createElement('div');
    box.className = 'status failed';
    box.setAttribute('role', 'alert');
    box.setAttribute('data-testid', 'boot-error');
    var p = document.createElement('p');
    p.textContent = es ? 'No se pudo cargar el pago. Revise su conexión y vuelva a intentarlo.'
                       : "The checkout couldn't load. Check your connection and try again.";
    var retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'secondary';
    retry.textContent = es ? '↻ Reintentar' : '↻ Try again';
    retry.addEventListener('click', function () { location.reload(); });
    box.append(p, retry);
    boot.replaceChildren(box);
    // Embedded: <govifi-payment> raises `error` on the merchant's page, as for any failure
    // the payer reads (same detail shape; no credential in it). frame-ancestors limits who
    // can be the parent.
    if (parent !== window) {
      parent.postMessage({ type: 'govifi:event', name: 'error', detail: { title: null, message: p.textContent } }, '*');
    }
  }, true);
})();
