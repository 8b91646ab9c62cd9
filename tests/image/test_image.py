"""The Raspberry Pi image boots: its own kernel, initrd and read-only root
under qemu-system-aarch64 -M virt, configured the way a user does it (files
on the boot partition), with a LAN and a DSL line (the lab's PPPoE AC).

One module-scoped run does four boots (about four minutes under TCG):
  boot 0  the card is exactly the image: no room for /data, so nothing of
          hgw runs; hgw-boot-error.txt on the boot partition says why.
          Power cut; the card "becomes" a bigger one.
  boot 1  first boot: /data is made, hgw.json, authorized_keys and
          ppp-password are imported from the boot partition; every check
          below is taken; a token is written to /data; reboot.
  (host)  an invalid hgw.json is dropped on the boot partition.
  boot 2  the token is still there, the invalid file was refused
          (hgw-error.txt) and the daemons run on the imported configuration.
  (host)  the image is written over the card again (an update by flashing).
  boot 3  the old /data is found and kept: token, configuration, host key.
Each test asserts one property of what was recorded.
"""
import json
import os
import re
import secrets
import subprocess
import time

import pytest

import imagevm
from imagevm import ImageVM, PPP_PEER

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
UNITS = ["hgw-netlinkd", "hgw-lte-modemd", "hgw-pppoed", "hgw-hybridd", "hgw-dhcp6c",
         "hgw-dhcp4c", "hgw-netdumpd", "hgw-resolv"]
# dnsmasq: starts as root, binds, becomes hgw keeping a subset of its bounding set.
LAN_UNIT = "hgw-lan"
# linux/capability.h; only what the units may name.
CAPS = {"CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_NET_BIND_SERVICE": 10, "CAP_NET_ADMIN": 12,
        "CAP_NET_RAW": 13}
BOOT_TIMEOUT = int(os.environ.get("HGW_IMAGE_BOOT_TIMEOUT", "400"))

# The lab's configuration (lab/configs/hgw.json) for the guest's devices:
# the NICs renamed by MAC, a modem that is not plugged in, the password file
# from the boot partition.
CONFIG = {
    "netlinkd": {
        "links": [{"name": "lan0", "mac": imagevm.LAN_MAC}, {"name": "dsl0", "mac": imagevm.WAN_MAC}],
        "lan": [{"name": "lan0", "addresses": ["192.168.1.1/24", "fe80::1/64", "fd00:1::1/64"],
                 "subnet_id": 1}],
        "wan": {"tunnel": {"table": 201, "metric": 100}, "dsl": {"table": 202, "metric": 200},
                "lte": {"table": 203, "metric": 300}},
    },
    "lte-modemd": {"device": "/dev/ttyUSB0", "apn": "hybrid.telekom", "interface": "wwan0"},
    "pppoed": {"interface": "dsl0", "ifname": "ppp0", "mode": "auto", "username": imagevm.PPP_USER,
               "password_file": "/etc/hgw/ppp-password", "auth": "any"},
    "hybridd": {"mode": "bonding", "haap": "2001:db8:ff::1", "cin": "hgw-lab", "interface": "hybrid0"},
    "dhcp6c": {"interface": "hybrid0", "ia_pd": True},
    "dhcp4c": {"interface": "hybrid0"},
    "netdumpd": {"listen_addresses": ["192.168.1.1"], "port": 2222,
                 "authorized_keys": "/etc/hgw/netdumpd_authorized_keys"},
}

PROBE = r"""
state=$(systemctl is-system-running --wait)
echo "SYSTEM $state"
systemctl --failed --no-legend --plain | sed 's/^/FAILED /'
for u in $(systemctl --failed --no-legend --plain | cut -d' ' -f1); do
  journalctl -b -u "$u" -n 15 --no-pager -o cat | sed "s|^|FAILLOG $u: |"
done
for u in %(units)s; do
  pid=$(systemctl show -P MainPID $u)
  restarts=$(systemctl show -P NRestarts $u)
  echo "UNIT $u $(systemctl show -P ActiveState $u) $restarts $(systemctl show -P ActiveEnterTimestampMonotonic $u) $(awk '/^(Uid|CapPrm|CapEff|CapBnd|CapAmb):/{printf "%%s%%s ", $1, $2}' /proc/$pid/status)"
  # A unit that restarted: why, for the failure message.
  [ "$restarts" = 0 ] ||
    journalctl -b -u "$u" -n 20 --no-pager -o cat | sed "s|^|FAILLOG $u: |"
done
echo "MOUNT / $(findmnt -n -o FSTYPE,OPTIONS /)"
for m in /data /tmp /boot/firmware /var/lib/systemd/timesync /var/log; do
  echo "MOUNT $m $(findmnt -n -o SOURCE,FSTYPE,OPTIONS $m | head -n1)"
done
echo "DATASIZE $(df -Pm /data | awk 'NR == 2 { print $2 }')"
echo "STATEDIR $(stat -c '%%U %%a' /tmp/hgw) $(ls /tmp/hgw | paste -sd, -)"
echo "DATA $(ls -A /data | paste -sd, -) $(ls -A /data/hgw | paste -sd, -)"
echo "DATALINK $(readlink /data/hgw/hgw.json) $(cmp -s /data/hgw/hgw.json /data/config/hgw.json && echo same)"
echo "CONFIG $(stat -c %%U:%%G:%%a /data/config /data/config/hgw.json /data/config/ppp-password | paste -sd' ' -) $(ls -A /data/config | paste -sd, -)"
echo "TIMESYNC $(ls -A /var/lib/systemd/timesync | paste -sd, -)"
echo "HOSTKEY $(ssh-keygen -l -f /data/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f2)"
echo "LISTEN $(ss -Htln | awk '{print $4}' | sort | paste -sd' ' -)"
echo "JOURNAL $(journalctl --header 2>/dev/null | sed -n 's/^File path: //p' | head -n1)"
echo "UPTIME $(cut -d' ' -f1 /proc/uptime)"
echo "ANALYZE $(systemd-analyze 2>/dev/null | head -n1)"
"""


def parse(out):
    rec = {"units": {}, "mounts": {}, "failed": []}
    for line in out.splitlines():
        word, _, rest = line.partition(" ")
        if word == "UNIT":
            f = rest.split()
            fields = dict(re.findall(r"(\w+):(\S+)", " ".join(f[4:])))
            rec["units"][f[0]] = {"active": f[1], "restarts": int(f[2]),
                                  "entered_us": int(f[3]), **fields}
        elif word == "MOUNT":
            m, _, v = rest.partition(" ")
            rec["mounts"][m] = v
        elif word == "FAILED":
            rec["failed"].append(rest)
        elif word == "FAILLOG":
            rec.setdefault("faillog", []).append(rest)
        else:
            rec[word.lower()] = rest
    return rec


def wait_until(get, pred, timeout):
    """get() until pred(value) or timeout; the last value either way."""
    deadline = time.monotonic() + timeout
    while True:
        v = get()
        if pred(v) or time.monotonic() > deadline:
            return v
        time.sleep(1)


def wait_for(vm, what, command, pred, timeout):
    deadline = time.monotonic() + timeout
    out = ""
    while time.monotonic() < deadline:
        out = vm.ssh(command, check=False)
        if pred(out):
            return out
        time.sleep(2)
    raise AssertionError(f"{what}: not after {timeout}s; last: {out}")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    build = os.environ.get("HGW_BUILD", os.path.join(ROOT, "build"))
    image = os.environ.get("HGW_IMAGE", os.path.join(build, "image", "hgw-rpi-arm64.img"))
    assert os.path.exists(image), f"{image} not built (make image, or make test-image)"
    vm = ImageVM(image, str(tmp_path_factory.mktemp("image")))
    r = {"vm": vm}
    try:
        # A card with no room after the image: /data cannot be made.
        vm.make_card(grow_mib=0)
        vm.netns_up()
        with open(vm.key + ".pub") as f:
            pub = f.read()
        # As a Windows editor saves them: a byte order mark, CR LF line ends.
        vm.fat_put("hgw.json", "\ufeff" + json.dumps(CONFIG, indent=2).replace("\n", "\r\n"))
        vm.fat_put("authorized_keys", "\ufeff" + pub.strip() + "\r\n")
        vm.fat_put("ppp-password", "\ufeff" + imagevm.PPP_PASSWORD + "\r\n")

        # ---- boot 0: no room for /data, so no configuration and no SSH;
        # the reason must reach the boot partition, the one thing the
        # user can read.  Then the card is "replaced" by a bigger one.
        vm.boot()
        vm.wait_fat_file("hgw-boot-error.txt", BOOT_TIMEOUT)
        time.sleep(2)  # hgw-report syncs right after the rename
        vm.power_cut()
        r["fat_after_0"] = vm.fat_ls()
        r["boot_error"] = vm.fat_get("hgw-boot-error.txt")
        vm.grow_card(imagevm.DATA_MIB)

        # ---- boot 1
        t0 = vm.boot()
        r["ssh_s"] = vm.wait_ssh(BOOT_TIMEOUT) - t0
        r["lease"] = vm.lease()
        r["b1"] = parse(vm.ssh(PROBE % {"units": " ".join(UNITS + [LAN_UNIT])}, timeout=300))
        r["pppoe"] = json.loads(wait_for(
            vm, "PPPoE session over the DSL TAP", "hgwctl show pppoe.json",
            lambda o: '"up"' in o and PPP_PEER in o, 120))
        r["resolv"] = wait_for(vm, "the forwarder's upstream from the PPPoE session",
                               "cat /tmp/hgw/resolv.conf", lambda o: imagevm.UPSTREAM_DNS in o, 30)
        r["wan_ping"] = vm.nsexec("ping", "-c", "3", "-W", "2", PPP_PEER, check=False).returncode
        # The household through the router: NAT to the WAN, DNS via the
        # WAN's server, SLAAC from the router's advertisements.
        r["lan_to_wan_ping"] = vm.lanexec("ping", "-c", "3", "-W", "2", imagevm.PPP_LOCAL,
                                          check=False).returncode
        r["lan_dns"] = wait_until(lambda: vm.dns_query(imagevm.LAN_ADDR, imagevm.DNS_NAME),
                                  lambda a: imagevm.DNS_ANSWER in a, 30)
        r["lan_slaac"] = wait_until(
            lambda: vm.lanexec("ip", "-6", "-o", "addr", "show", "dev", "imglan", "scope",
                               "global").stdout, lambda a: "fd00:1:" in a, 30)
        r["wan_ssh"] = vm.tcp_answers(PPP_PEER, 22)
        r["wan_dump"] = vm.tcp_answers(PPP_PEER, 2222)
        dump = os.path.join(vm.work, "backlog.pcapng")
        with open(dump, "wb") as f:
            p = subprocess.run(vm.ssh_args(port=imagevm.DUMP_PORT, user="hgw") + ["backlog"],
                               stdout=f, stderr=subprocess.PIPE, timeout=60)
        r["dump_rc"], r["dump_err"], r["dump"] = p.returncode, p.stderr.decode(), dump
        p = subprocess.run(vm.ssh_args()[:-1] + ["-o", "PubkeyAuthentication=no", "-o",
                           "PreferredAuthentications=password,keyboard-interactive",
                           imagevm.LAN_ADDR, "true"], capture_output=True, text=True, timeout=60)
        r["password_login"] = (p.returncode, p.stderr)
        r["journal_setup"] = vm.ssh("journalctl -b -u hgw-setup -u hgw-data --no-pager -o cat")
        r["token"] = secrets.token_hex(8)
        vm.ssh(f"echo {r['token']} > /data/persist-token && sync")
        vm.shutdown("reboot")
        r["fat_after_1"] = vm.fat_ls()
        vm.fat_put("hgw.json", json.dumps({"pppoed": {"mru": "large"}}))

        # ---- boot 2
        t0 = vm.boot()
        r["ssh2_s"] = vm.wait_ssh(BOOT_TIMEOUT) - t0
        r["b2"] = parse(vm.ssh(PROBE % {"units": " ".join(UNITS + [LAN_UNIT])}, timeout=300))
        r["token2"] = vm.ssh("cat /data/persist-token").strip()
        r["conf2"] = vm.ssh("hgwctl config pppoed.username").strip()
        vm.shutdown("poweroff")
        r["fat_after_2"] = vm.fat_ls()
        r["error_txt"] = vm.fat_get("hgw-error.txt") if "hgw-error.txt" in r["fat_after_2"] else ""

        # ---- boot 3, after flashing the image again
        vm.reflash()
        vm.boot()
        vm.wait_ssh(BOOT_TIMEOUT)
        r["b3_system"] = vm.ssh("systemctl is-system-running --wait", check=False).strip()
        r["b3_data_log"] = vm.ssh("journalctl -b -u hgw-data --no-pager -o cat")
        r["b3_token"] = vm.ssh("cat /data/persist-token").strip()
        r["b3_conf"] = vm.ssh("hgwctl config pppoed.username").strip()
        r["b3_hostkey"] = vm.ssh("ssh-keygen -l -f /data/ssh/ssh_host_ed25519_key.pub").split()[1]
        vm.shutdown("poweroff")
        # For docs/benchmarks.md: when the last hgw unit became active,
        # from the guest's own clock (seconds since the kernel started).
        for b in ("b1", "b2"):
            r[b + "_units_active_s"] = max(u["entered_us"] for u in r[b]["units"].values()) / 1e6
        yield r
    finally:
        vm.close()
        with open(os.path.join(os.environ.get("HGW_BUILD", os.path.join(ROOT, "build")),
                               "image-test.json"), "w") as f:
            json.dump({k: v for k, v in r.items() if k != "vm"}, f, indent=1, default=str)


def declared(unit, key):
    """A capability list of the unit file (configs/systemd), as a mask."""
    with open(os.path.join(ROOT, "configs", "systemd", unit + ".service")) as f:
        m = re.search(rf"^{key}=(.*)$", f.read(), re.M)
    assert m, f"{unit} declares no {key}"
    return sum(1 << CAPS[c] for c in m.group(1).split())


def unit_caps(unit):
    amb, bnd = declared(unit, "AmbientCapabilities"), declared(unit, "CapabilityBoundingSet")
    assert amb == bnd, f"{unit}: ambient {amb:#x} and bounding {bnd:#x} differ"
    return amb


def test_multi_user_reached_nothing_failed(run):
    for b in ("b1", "b2"):
        assert run[b]["system"] == "running", (b, run[b]["system"], run[b]["failed"])
        assert run[b]["failed"] == [], "\n".join(run[b].get("faillog", []))


@pytest.mark.parametrize("unit", UNITS)
def test_unit_active_with_only_its_capabilities(run, unit):
    for b in ("b1", "b2"):
        u = run[b]["units"][unit]
        assert u["active"] == "active", (b, u)
        # up and stayed up, not crash-looping
        assert u["restarts"] == 0, (b, u, [l for l in run[b].get("faillog", []) if l.startswith(unit + ":")])
        want = unit_caps(unit)
        for field in ("CapPrm", "CapEff", "CapBnd", "CapAmb"):
            assert int(u[field], 16) == want, (b, unit, field, u[field], hex(want))
        assert u["Uid"] != "0", (b, unit, "runs as root")


def test_lan_service_active_as_hgw_within_its_bounding_set(run):
    bnd = declared(LAN_UNIT, "CapabilityBoundingSet")
    for b in ("b1", "b2"):
        u = run[b]["units"][LAN_UNIT]
        assert u["active"] == "active" and u["restarts"] == 0, (b, u)
        assert int(u["CapBnd"], 16) == bnd, (b, u)
        assert int(u["CapEff"], 16) & ~bnd == 0 and int(u["CapEff"], 16) != bnd, (b, u)
        assert u["Uid"] != "0", (b, u)  # dnsmasq dropped root after binding


def test_lan_client_gets_address_dns_and_internet(run):
    assert run["lease"], "no DHCP lease on the LAN"
    assert run["lease"][0].startswith("192.168.1.") and \
        100 <= int(run["lease"][0].rsplit(".", 1)[1]) <= 199, run["lease"]
    assert run["lease"][1] == imagevm.LAN_ADDR, run["lease"]
    assert "fd00:1:" in run["lan_slaac"], run["lan_slaac"]
    assert run["lan_dns"].startswith("rcode=0") and imagevm.DNS_ANSWER in run["lan_dns"], \
        run["lan_dns"]
    assert run["lan_to_wan_ping"] == 0
    # The forwarder's upstream is the PPPoE session's DNS (IPCP), via hgwctl resolv.
    servers = [l.split()[1] for l in run["resolv"].splitlines() if l.startswith("nameserver")]
    assert servers[:1] == [imagevm.UPSTREAM_DNS], run["resolv"]


def test_read_only_root_and_ram_journal(run):
    m = run["b1"]["mounts"]
    assert m["/"].split()[1].split(",")[0] == "ro", m["/"]
    assert " tmpfs " in f" {m['/tmp']} " and " tmpfs " in f" {m['/var/log']} "
    assert run["b1"]["journal"].startswith("/run/log/journal/"), run["b1"]["journal"]
    assert m["/var/lib/systemd/timesync"].startswith("/dev/vda3[/timesync]"), \
        f"timesyncd's clock file is not on /data: {m['/var/lib/systemd/timesync']!r}"


def test_data_made_on_first_boot_and_persists(run):
    m = run["b1"]["mounts"]
    assert re.match(r"/dev/vda3\s+ext4\s+rw", m["/data"]), m["/data"]
    assert "first boot: creating /dev/vda3" in run["journal_setup"], run["journal_setup"]
    # The rest of the card (DATA_MIB past the image), not some gap before it.
    assert int(run["b1"]["datasize"]) > imagevm.DATA_MIB * 0.8, run["b1"]["datasize"]
    assert run["token2"] == run["token"]
    assert run["b2"]["hostkey"] == run["b1"]["hostkey"]  # the SSH host key survived


def test_flashing_a_new_image_keeps_data(run):
    assert "already holds a /data file system (the card was flashed again): kept" in \
        run["b3_data_log"], run["b3_data_log"]
    assert run["b3_system"] == "running", run["b3_system"]
    assert run["b3_token"] == run["token"]
    assert run["b3_conf"] == imagevm.PPP_USER  # the configuration, without a new hgw.json
    assert run["b3_hostkey"] == run["b1"]["hostkey"]  # clients do not see a new host key


def test_state_dir(run):
    owner, mode, files = (run["b1"]["statedir"].split() + [""])[:3]
    assert (owner, mode) == ("hgw", "755")
    for f in ("netlinkd.json", "pppoe.json", "netdumpd.json", "hybrid.json"):
        assert f in files.split(","), files


def test_no_room_for_data_is_reported_on_the_boot_partition(run):
    text = run["boot_error"]
    assert "hgw-data.service failed" in text, text
    assert "/data needs 64 MiB" in text and "use a card of at least 3 GiB" in text, text
    # nothing was imported without /data; the next boot, which had it, took
    # the files and removed the report
    assert {"hgw.json", "authorized_keys", "ppp-password"} <= set(run["fat_after_0"]), run["fat_after_0"]
    assert "hgw-boot-error.txt" not in run["fat_after_1"], run["fat_after_1"]


def test_boot_partition_import(run):
    fat = run["fat_after_1"]
    assert "hgw.json.imported" in fat and "hgw.json" not in fat, fat
    assert "authorized_keys.imported" in fat and "ppp-password" not in fat, fat
    assert "hgw-error.txt" not in fat
    # In /data/config: root's, readable by the daemons' group, not theirs to change.
    perms, files = run["b1"]["config"].rsplit(" ", 1)
    assert perms.split() == ["root:hgw:750", "root:hgw:640", "root:hgw:640"], perms
    assert {"hgw.json", "ppp-password", "netdumpd_authorized_keys"} <= set(files.split(",")), files
    # /data/hgw/hgw.json, the data dir's name for it, leads there.
    assert run["b1"]["datalink"] == "../config/hgw.json same", run["b1"]["datalink"]


def test_invalid_config_on_boot_partition_is_refused(run):
    assert "hgw.json" in run["fat_after_2"], "the refused file stays for the user to fix"
    assert "hgw.json: pppoed.mru: expected an integer" in run["error_txt"], run["error_txt"]
    assert run["conf2"] == imagevm.PPP_USER  # still the imported configuration


def test_dsl_session_over_kernel_or_userspace(run):
    assert run["pppoe"]["state"] == "up" and PPP_PEER in json.dumps(run["pppoe"])
    assert run["wan_ping"] == 0, "the WAN address does not answer ping: the WAN checks mean nothing"


def test_ssh_lan_side_only(run):
    listen = run["b1"]["listen"].split()
    assert "192.168.1.1:22" in listen and "192.168.1.1:2222" in listen, listen
    assert not any(a.endswith(("*:22", "0.0.0.0:22", "[::]:22")) for a in listen), listen
    assert run["wan_ssh"] != "open" and run["wan_dump"] != "open", (run["wan_ssh"], run["wan_dump"])


def test_no_password_login(run):
    rc, err = run["password_login"]
    assert rc != 0 and "Permission denied (publickey)" in err, (rc, err)


def test_last_time_kept_on_data(run):
    # timesyncd creates its clock file at start and advances the clock to it
    # after a power cut; on the second boot it is the one from the first.
    assert "clock" in run["b2"]["timesync"].split(","), run["b2"]["timesync"]


def test_netdumpd_answers_on_lan(run):
    assert run["dump_rc"] == 0, run["dump_err"]
    with open(run["dump"], "rb") as f:
        head = f.read(4)
    assert head == b"\x0a\x0d\x0d\x0a", head  # a pcapng section header

