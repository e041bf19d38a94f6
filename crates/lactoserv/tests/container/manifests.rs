//! The Kubernetes manifests in `dist/kubernetes/`, read as YAML, and what
//! they must agree on with the configuration their ConfigMap holds (as the
//! real binary reads it): the ports, the readiness probe, the stop's
//! timing, where the configuration is mounted, and the pod's lockdown.

use std::collections::BTreeMap;
use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

use crate::util::dry_run;

/// The stop's own grace period for requests in flight, after Health's
/// `stopDelay` (`docs/deployment.md`, "Signals").
pub(crate) const STOP_GRACE_SECS: f64 = 9.5;

/// The three manifests, each a single YAML document.
pub(crate) struct Manifests {
    config_map: Yaml,
    deployment: Yaml,
    service: Yaml,
}

/// One endpoint of the configuration, as `--dry-run` lists it.
#[derive(Debug)]
pub(crate) struct Endpoint {
    /// The endpoint's name.
    pub(crate) name: String,
    /// Its interface, `<address>:<port>`.
    pub(crate) interface: String,
    /// The port of its interface.
    pub(crate) port: u16,
}

fn load(name: &str) -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../dist/kubernetes")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut documents = YamlLoader::load_from_str(&text).expect("valid YAML");
    assert_eq!(documents.len(), 1, "{name}: one document");
    documents.remove(0)
}

fn number(value: &Yaml) -> Option<u16> {
    value.as_i64().and_then(|n| u16::try_from(n).ok())
}

impl Manifests {
    /// Reads `configmap.yaml`, `deployment.yaml` and `service.yaml`.
    pub(crate) fn load() -> Self {
        let manifests = Self {
            config_map: load("configmap.yaml"),
            deployment: load("deployment.yaml"),
            service: load("service.yaml"),
        };
        for (manifest, kind) in [
            (&manifests.config_map, "ConfigMap"),
            (&manifests.deployment, "Deployment"),
            (&manifests.service, "Service"),
        ] {
            assert_eq!(manifest["kind"].as_str(), Some(kind));
        }
        manifests
    }

    /// The pod's spec.
    pub(crate) fn pod(&self) -> &Yaml {
        &self.deployment["spec"]["template"]["spec"]
    }

    /// The pod's one container.
    pub(crate) fn container(&self) -> &Yaml {
        let containers = self.pod()["containers"].as_vec().unwrap();
        assert_eq!(containers.len(), 1);
        &containers[0]
    }

    /// The image the Deployment runs.
    pub(crate) fn image(&self) -> &str {
        self.container()["image"].as_str().unwrap()
    }

    /// The container's ports: name to number.
    pub(crate) fn container_ports(&self) -> BTreeMap<String, u16> {
        let ports = self.container()["ports"].as_vec().unwrap();
        ports
            .iter()
            .map(|port| {
                assert_eq!(port["protocol"].as_str().unwrap_or("TCP"), "TCP");
                let name = port["name"].as_str().unwrap().to_owned();
                (name, number(&port["containerPort"]).unwrap())
            })
            .collect()
    }

    /// A port as a probe or a Service names it (by number or by a container
    /// port's name), as its number; `None` when it is neither.
    pub(crate) fn container_port(&self, port: &Yaml) -> Option<u16> {
        let ports = self.container_ports();
        match port.as_str() {
            Some(name) => ports.get(name).copied(),
            None => number(port).filter(|n| ports.values().any(|p| p == n)),
        }
    }

    /// The readiness probe's path and container port.
    pub(crate) fn readiness_probe(&self) -> (String, u16) {
        let probe = &self.container()["readinessProbe"]["httpGet"];
        let port = self
            .container_port(&probe["port"])
            .expect("the probe's port is a container port");
        (probe["path"].as_str().unwrap().to_owned(), port)
    }

    /// The arguments the Deployment gives the image's entrypoint.
    pub(crate) fn args(&self) -> Vec<String> {
        let container = self.container();
        assert!(
            container["command"].is_badvalue(),
            "the image's entrypoint is the server"
        );
        let args = container["args"].as_vec().unwrap();
        args.iter()
            .map(|arg| arg.as_str().unwrap().to_owned())
            .collect()
    }

    /// The configuration file the server is told to read.
    pub(crate) fn config_path(&self) -> String {
        let args = self.args();
        let path = args.iter().find_map(|arg| arg.strip_prefix("--config="));
        path.expect("a --config argument").to_owned()
    }

    /// The ConfigMap's one file: its key and the configuration's source.
    pub(crate) fn config_source(&self) -> (String, String) {
        let data = self.config_map["data"].as_hash().unwrap();
        assert_eq!(data.len(), 1, "one file");
        let (key, source) = data.iter().next().unwrap();
        let key = key.as_str().unwrap().to_owned();
        (key, source.as_str().unwrap().to_owned())
    }

    /// Where the container sees the ConfigMap's file: the mount of the
    /// volume made from it, then the file's key (or the path `items` gives
    /// it).
    pub(crate) fn mounted_config_path(&self) -> String {
        let name = self.config_map["metadata"]["name"].as_str().unwrap();
        let volumes = self.pod()["volumes"].as_vec().unwrap();
        let volume = volumes
            .iter()
            .find(|volume| volume["configMap"]["name"].as_str() == Some(name))
            .expect("a volume from the ConfigMap");
        let (key, _) = self.config_source();
        let file = match volume["configMap"]["items"].as_vec() {
            Some(items) => {
                let item = items.iter().find(|item| item["key"].as_str() == Some(&key));
                item.expect("the file among the items")["path"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
            None => key,
        };
        let mounts = self.container()["volumeMounts"].as_vec().unwrap();
        let mount = mounts
            .iter()
            .find(|mount| mount["name"] == volume["name"])
            .expect("the ConfigMap's volume is mounted");
        assert!(mount["subPath"].is_badvalue(), "a subPath is never updated");
        format!("{}/{file}", mount["mountPath"].as_str().unwrap())
    }

    /// The seconds of the container's `preStop` `sleep` action.
    pub(crate) fn pre_stop_sleep_secs(&self) -> f64 {
        let sleep = &self.container()["lifecycle"]["preStop"]["sleep"];
        sleep["seconds"].as_i64().expect("a preStop sleep") as f64
    }

    /// The pod's `terminationGracePeriodSeconds`.
    pub(crate) fn grace_period_secs(&self) -> f64 {
        let secs = self.pod()["terminationGracePeriodSeconds"].as_i64();
        secs.expect("a grace period") as f64
    }

    /// The port and path of the Prometheus annotations.
    pub(crate) fn scrape_target(&self) -> (u16, String) {
        let annotations = &self.deployment["spec"]["template"]["metadata"]["annotations"];
        assert_eq!(annotations["prometheus.io/scrape"].as_str(), Some("true"));
        let port = annotations["prometheus.io/port"].as_str().unwrap();
        let path = annotations["prometheus.io/path"].as_str().unwrap();
        (port.parse().unwrap(), path.to_owned())
    }
}

/// The configuration's endpoints, as the server reads them (the
/// `--dry-run` summary).
pub(crate) fn endpoints(source: &str) -> Vec<Endpoint> {
    let (code, summary) = dry_run(source);
    assert_eq!(code, 0, "{summary}");
    let listed = summary.split("  endpoints (").nth(1).unwrap();
    listed
        .lines()
        .skip(1)
        .map(|line| {
            // `<name> <protocol> on <interface> -> <application>`
            let words: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(words[2], "on", "{line}");
            let interface = words[3].to_owned();
            let port = interface.rsplit(':').next().unwrap().parse().unwrap();
            Endpoint {
                name: words[0].to_owned(),
                interface,
                port,
            }
        })
        .collect()
}

/// The `stopDelay` of the configuration's Health application, in seconds.
pub(crate) fn stop_delay_secs(source: &str) -> f64 {
    let after = source.split("stopDelay: '").nth(1).expect("a stopDelay");
    let delay = after.split(" sec'").next().unwrap();
    delay.parse().expect("a stopDelay in seconds")
}

#[test]
fn the_container_ports_are_the_config_endpoints_on_every_interface() {
    let manifests = Manifests::load();
    let (_, source) = manifests.config_source();
    let endpoints = endpoints(&source);
    let mut ports: Vec<u16> = manifests.container_ports().into_values().collect();
    let mut listening: Vec<u16> = endpoints.iter().map(|e| e.port).collect();
    ports.sort_unstable();
    listening.sort_unstable();
    assert_eq!(ports, listening);
    for endpoint in &endpoints {
        // Probes, the Service and Prometheus come in on the pod's address.
        assert!(
            endpoint.interface.starts_with("*:"),
            "{} listens on {}",
            endpoint.name,
            endpoint.interface
        );
    }
}

#[test]
fn the_service_targets_container_ports() {
    let manifests = Manifests::load();
    let ports = manifests.service["spec"]["ports"].as_vec().unwrap();
    assert!(!ports.is_empty());
    for port in ports {
        let target = &port["targetPort"];
        assert!(
            manifests.container_port(target).is_some(),
            "{target:?} is no container port"
        );
    }
    let selector = &manifests.service["spec"]["selector"];
    let labels = &manifests.deployment["spec"]["template"]["metadata"]["labels"];
    for (key, value) in selector.as_hash().unwrap() {
        assert_eq!(&labels[key.as_str().unwrap()], value);
    }
    let (scrape_port, _) = manifests.scrape_target();
    assert!(
        manifests
            .container_ports()
            .values()
            .any(|&p| p == scrape_port)
    );
}

#[test]
fn the_grace_period_covers_the_pre_stop_pause_the_stop_delay_and_the_drain() {
    let manifests = Manifests::load();
    let (_, source) = manifests.config_source();
    let delay = stop_delay_secs(&source);
    assert!(delay > 0.0);
    let pause = manifests.pre_stop_sleep_secs();
    assert!(pause > 0.0, "a preStop pause");
    assert!(manifests.grace_period_secs() >= pause + delay + STOP_GRACE_SECS);
    // The rule deployment.md gives for a load balancer that polls: it has
    // taken the pod out before the listeners close.
    let probe = &manifests.container()["readinessProbe"];
    let period = probe["periodSeconds"].as_i64().unwrap_or(10);
    let failures = probe["failureThreshold"].as_i64().unwrap_or(3);
    assert!((period * failures) as f64 <= delay);
    // No shell or `sleep` in the image for an exec hook to run: the pause
    // is the kubelet's `sleep` action.
    let lifecycle = &manifests.container()["lifecycle"];
    for hook in ["preStop", "postStart"] {
        assert!(lifecycle[hook]["exec"].is_badvalue(), "{hook}");
    }
}

#[test]
fn the_config_map_is_mounted_where_the_server_reads_it() {
    let manifests = Manifests::load();
    assert_eq!(manifests.mounted_config_path(), manifests.config_path());
}

#[test]
fn the_pod_runs_unprivileged_on_a_read_only_root() {
    let manifests = Manifests::load();
    assert_eq!(
        manifests.pod()["securityContext"]["runAsNonRoot"].as_bool(),
        Some(true)
    );
    let context = &manifests.container()["securityContext"];
    assert_eq!(context["allowPrivilegeEscalation"].as_bool(), Some(false));
    assert_eq!(context["readOnlyRootFilesystem"].as_bool(), Some(true));
    let dropped = context["capabilities"]["drop"].as_vec().unwrap();
    assert_eq!(dropped, &[Yaml::String("ALL".into())]);
    assert!(context["capabilities"]["add"].is_badvalue());
}
