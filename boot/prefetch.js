// Inlined into the widget's pages by Trunk (index.html, loading.html): the first script of the page.
// Runs first, before the stylesheet (which would hold a classic script back). Starts the
// session's config request while the wasm downloads and compiles. The widget
// takes this answer only if it was asked with the credential the widget resolves itself
// (src/api.rs, `prefetched_config`), and once; otherwise, and on retry, it asks again.
(function () {
  try {
    var m = /(?:^#|&)cs=([^&]+)/.exec(location.hash);
    var cs = m ? m[1] : sessionStorage.getItem('checkout.cs.' + location.pathname);
    var id = cs ? cs.split('_secret_')[0] : '';
    if (!id || id === cs) return;
    window.__checkoutConfig = {
      bearer: cs,
      answer: fetch('/v1/sessions/' + encodeURIComponent(id) + '/config', { headers: { Authorization: 'Bearer ' + cs } })
        .then(function (r) { return r.text().then(function (body) { return { status: r.status, body: body }; }); })
        .catch(function () { return null; })
    };
  } catch (e) { /* no storage, no fetch: the widget asks itself */ }
})();
