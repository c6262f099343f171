"""Registers the test peer's catalog, users and flavor, and waits for its services, in one
Python process each (the openstack CLI costs seconds per call). Reads the admin credentials
from the OS_* environment."""
import sys
import time

import openstack

ENDPOINTS = [
    ("glance", "image", "http://127.0.0.1:9292"),
    ("placement", "placement", "http://127.0.0.1:8778"),
    ("neutron", "network", "http://127.0.0.1:9696"),
    ("nova", "compute", "http://127.0.0.1:8774/v2.1"),
    ("cinderv3", "volumev3", "http://127.0.0.1:8776/v3/%(project_id)s"),
    ("cinder", "block-storage", "http://127.0.0.1:8776/v3/%(project_id)s"),
]


def role(conn, name):
    return conn.identity.find_role(name) or conn.identity.create_role(name=name)


def register(service_password, user_password):
    conn = openstack.connect()
    identity = conn.identity
    domain = identity.find_domain("default")
    service_project = identity.create_project(name="service", domain_id=domain.id)
    service_user = identity.create_user(name="duplex-service", password=service_password, domain_id=domain.id,
                                        default_project_id=service_project.id)
    for name in ("admin", "service"):
        identity.assign_project_role_to_user(service_project, service_user, role(conn, name))
    project = identity.create_project(name="duplex", domain_id=domain.id)
    user = identity.create_user(name="duplex", password=user_password, domain_id=domain.id,
                                default_project_id=project.id)
    identity.assign_project_role_to_user(project, user, role(conn, "member"))
    for name, kind, url in ENDPOINTS:
        service = identity.create_service(name=name, type=kind)
        for interface in ("public", "internal", "admin"):
            identity.create_endpoint(service_id=service.id, interface=interface, url=url, region_id="RegionOne")


def await_services(seconds=300):
    conn = openstack.connect()
    deadline = time.time() + seconds
    while True:
        try:
            compute = [s for s in conn.compute.services() if s.binary == "nova-compute" and s.state == "up"]
            services = conn.block_storage.get("/os-services").json()["services"]
            volume = [s for s in services if s["binary"] == "cinder-volume" and s["state"] == "up"]
            print("nova-compute up:", len(compute), "cinder-volume up:", len(volume), flush=True)
            if compute and volume:
                return
        except Exception as e:  # an API still starting
            print("waiting:", e, flush=True)
        if time.time() > deadline:
            sys.exit("nova-compute or cinder-volume not up after %d s" % seconds)
        time.sleep(1)


def flavor():
    conn = openstack.connect()
    conn.compute.create_flavor(name="duplex.tiny", ram=64, vcpus=1, disk=1, is_public=True)
    # No host has this much disk (and no quota limits disk): a server of it never becomes ACTIVE.
    conn.compute.create_flavor(name="duplex.huge", ram=64, vcpus=1, disk=10 * 1000 * 1000, is_public=True)
    # The scheduler needs the compute node in Placement before it can place a server.
    deadline = time.time() + 120
    while not list(conn.placement.resource_providers()):
        if time.time() > deadline:
            sys.exit("no compute node in Placement after 120 s")
        time.sleep(1)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "register":
        register(sys.argv[2], sys.argv[3])
    elif command == "await-services":
        await_services()
    elif command == "flavor":
        flavor()
    else:
        sys.exit("unknown command " + command)
