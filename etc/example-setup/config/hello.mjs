// A small configuration that this version serves in full: a fixed response
// over HTTP and HTTPS, and the example site's files over HTTP/2, with the
// certificate next to this file for `localhost` and a self-signed one for
// every other name.
//
// Run it:  cargo run -p lactoserv -- --config=etc/example-setup/config/hello.mjs
// Then:    curl http://localhost:8080/
//          curl -k https://localhost:8443/                 (HTTPS, HTTP/1.1)
//          curl -k --http2 https://localhost:8444/         (HTTP/2: the site)
//          curl -k --http2 https://localhost:8444/subdir   (a redirect)

import { readFile } from 'node:fs/promises';

import { SimpleResponse, StaticFiles } from '@lactoserv/webapp-builtins';

const here = (path) => new URL(path, import.meta.url);
const PORT_BASE = Number(process.env.LACTOSERV_PORT_BASE ?? '8080');

export default {
  hosts: [
    {
      hostnames:   ['localhost', '*.localhost'],
      certificate: await readFile(here('localhost-cert.pem')),
      privateKey:  await readFile(here('localhost-key.pem'))
    },
    { hostnames: ['*'], selfSigned: true }
  ],
  applications: [
    {
      name:         'hello',
      class:        SimpleResponse,
      contentType:  'text/plain',
      body:         'Hello from Lactoserv!\n',
      cacheControl: { public: true, maxAge: '1 min' },
      etag:         true
    },
    {
      name:          'site',
      class:         StaticFiles,
      siteDirectory: here('../site').pathname,
      notFoundPath:  here('../site-extra/not-found.html').pathname,
      cacheControl:  { public: true, maxAge: '5 min' },
      etag:          true
    }
  ],
  endpoints: [
    { name: 'insecure', protocol: 'http',  interface: `*:${PORT_BASE}`,       application: 'hello' },
    { name: 'secure',   protocol: 'https', interface: `*:${PORT_BASE + 363}`, application: 'hello' },
    { name: 'h2',       protocol: 'http2', interface: `*:${PORT_BASE + 364}`, application: 'site' }
  ]
};
