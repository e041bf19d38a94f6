// A config naming an application type registered from Rust (`Greeter`, see
// custom_app.rs) by string, next to a built-in router. The port comes from
// `PORT` (8080 unless set).
import { PathRouter } from '@lactoserv/webapp-builtins';

export default {
  applications: [
    { name: 'greeter', class: 'Greeter', greeting: 'yo' },
    { name: 'quiet', class: 'Greeter' },
    { name: 'paths', class: PathRouter, paths: { '/yo': 'greeter', '/*': 'quiet' } }
  ],
  endpoints: [
    {
      name: 'main',
      protocol: 'http',
      interface: `127.0.0.1:${process.env.PORT ?? 8080}`,
      application: 'paths'
    }
  ]
};
