// Whether the process is draining for shutdown: readiness turns false and requests arriving on
// kept-alive connections are turned away (with Connection: close) so clients go elsewhere.
export class Lifecycle {
  draining = false
}
