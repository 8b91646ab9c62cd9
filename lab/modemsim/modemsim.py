#!/usr/bin/env python3
"""modemsim: an LTE modem on a pseudo-terminal, for lte-modemd's tests and the lab.

Written from the specifications (ITU-T V.250, 3GPP TS 27.007) and from what
Huawei E3372-class sticks in NDIS mode print, independently of lte-modemd's
code, so that a misunderstanding on one side shows up on the other.

It opens a pty, points a symlink (--link) at the slave side, and answers AT
commands like one of two modems:

  --profile huawei   "huawei" E3372: ^NDISDUP / ^NDISSTAT / ^NDISSTATQRY,
                     ^HCSQ, ^SYSINFOEX, addresses in dotted-decimal octets
  --profile 3gpp     a plain 27.007 modem: +CGACT, +CGEV, colon-form IPv6
                     addresses (as after AT+CGPIAF=1,1,1,1), "+QIND:" URCs

It starts as a real one does: echo on, and (with --pin) a locked SIM that
counts wrong PINs (3, then PUK).  The test drives faults through a control
socket (--control PATH): one text line per connection, one JSON line back.

  status                  JSON: registration, bearer, addresses, counters
  drop                    the network ends the bearer (^NDISSTAT: 0 / +CGEV)
  deregister | register   registration lost / back (+CEREG URCs)
  unplug | plug           the device disappears (pty closed, link removed)
                          and comes back as a fresh modem (new pty)
  stall on|off            stop answering (input is read and ignored)
  split on|off            responses written in 1..5-byte pieces
  urcs on|off             URCs in the middle of responses
  slow MS                 answer every command MS milliseconds late
  fail CMD N              the next N commands starting with CMD fail
                          (+CME ERROR: 30 no network service)
  noterm CMD N            the next N commands starting with CMD get their
                          answer lines but no final result code
  garbage N               N random bytes (NULs, 0xff, no line end), then CRLF
  oversize N              one line of N bytes
  flood N                 N URCs at once
  quit

When the bearer comes up it writes --status FILE (JSON, atomically) with
the address the LTE interface has, so a lab can configure it, and runs
--on-up CMD (environment: LTE_IPV6=addr/64, LTE_IPV4=addr/24 or empty,
LTE_DNS6, LTE_MTU); --on-down CMD runs when it goes down.
"""
import argparse
import json
import os
import random
import select
import subprocess
import socket
import sys
import time
import tty

DEFAULT_IPV6 = "2001:db8:100:7::1a2b"
DNS6 = ["2001:db8:53::1", "2001:db8:53::2"]
IPV4 = "10.100.7.9"
DNS4 = ["192.0.2.53", "192.0.2.54"]
GW6 = "fe80::1"
MTU = 1428
TAC, CI = 0x1A2B, 0x01A2B3C4


def v6_bytes(addr):
    return socket.inet_pton(socket.AF_INET6, addr)


def dotted(b):
    return ".".join(str(x) for x in b)


class Modem:
    """The AT command interpreter and the radio/bearer model."""

    def __init__(self, sim):
        self.sim = sim
        self.a = sim.args
        self.reset()

    def reset(self):
        self.echo = True
        self.cmee = 0
        # the SIM card keeps its PIN retry counter across power cycles
        self.pin_left = getattr(self, "pin_left", 3)
        self.sim_state = ("puk" if self.pin_left == 0 else "pin") if self.a.pin else "ready"
        self.cfun = 1
        self.reg = 0
        self.reg_allowed = True
        self.cereg_n = 0
        self.cgerep = False
        self.contexts = {}
        self.bearer = False
        self.bearer_type = None
        self.want_reg_at = None
        if self.sim_state == "ready":
            self.schedule_reg()

    # --- radio model -------------------------------------------------------
    def schedule_reg(self):
        self.want_reg_at = time.monotonic() + self.a.reg_delay

    def can_register(self):
        return self.cfun == 1 and self.sim_state == "ready" and self.reg_allowed

    def set_reg(self, stat):
        if stat == self.reg:
            return
        self.reg = stat
        if self.cereg_n == 1:
            self.sim.urc(f"+CEREG: {stat}")
        elif self.cereg_n >= 2:
            if stat in (1, 5):
                self.sim.urc(f'+CEREG: {stat},"{TAC:04X}","{CI:08X}",7')
            else:
                self.sim.urc(f"+CEREG: {stat}")
        if stat not in (1, 5) and self.bearer:
            self.bearer_down(36)

    def tick(self, now):
        if self.want_reg_at is not None and now >= self.want_reg_at:
            self.want_reg_at = None
            if self.can_register():
                self.set_reg(1)

    def bearer_up(self, cid):
        self.bearer = True
        self.bearer_type = self.contexts.get(cid, ("IPV6", ""))[0]
        self.sim.counters["attaches"] += 1
        self.sim.write_status()
        self.sim.hook(self.a.on_up)

    def bearer_down(self, err, cid=1):
        if not self.bearer:
            return
        self.bearer = False
        self.sim.write_status()
        self.sim.hook(self.a.on_down)
        if self.a.profile == "huawei":
            self.sim.urc(f'^NDISSTAT: 0,{err},,"{self.ndis_type()}"')
        if self.cgerep:
            self.sim.urc(f"+CGEV: NW PDN DEACT {cid}")

    def ndis_type(self):
        t = self.bearer_type or "IPV6"
        return "IPV4" if t == "IP" else t

    # --- responses ----------------------------------------------------------
    def err(self, code, text):
        if self.cmee == 1:
            return [f"+CME ERROR: {code}"]
        if self.cmee == 2:
            return [f"+CME ERROR: {text}"]
        return ["ERROR"]

    def addr6(self):
        ip = v6_bytes(self.a.ipv6)
        if self.a.profile == "huawei":
            return dotted(ip), dotted(b"\xff" * 8 + b"\x00" * 8)
        return self.a.ipv6, "ffff:ffff:ffff:ffff::"

    def fmt6(self, addr):
        return dotted(v6_bytes(addr)) if self.a.profile == "huawei" else addr

    def contrdp(self, cid):
        apn = self.contexts.get(cid, ("IPV6", ""))[1]
        t = self.bearer_type
        lines = []
        if t in ("IP", "IPV4V6"):
            lines.append(f'+CGCONTRDP: {cid},5,"{apn}","{IPV4}.255.255.255.0","10.100.7.1",'
                         f'"{DNS4[0]}","{DNS4[1]}","","",0,0,{MTU}')
        if t in ("IPV6", "IPV4V6"):
            a, m = self.addr6()
            sep = "." if self.a.profile == "huawei" else " "
            lines.append(f'+CGCONTRDP: {cid},5,"{apn}","{a}{sep}{m}","{self.fmt6(GW6)}",'
                         f'"{self.fmt6(DNS6[0])}","{self.fmt6(DNS6[1])}","","",0,0,{MTU}')
        return lines

    def handle(self, line):
        """One command line -> (list of info lines, final result or None)."""
        c = line.strip()
        u = c.upper()
        self.sim.counters["commands"] += 1
        self.sim.log.append(c if not u.startswith("AT+CPIN=") else "AT+CPIN=<pin>")
        del self.sim.log[:-200]
        for prefix, left in list(self.sim.fails.items()):
            if u.startswith(prefix) and left > 0:
                self.sim.fails[prefix] = left - 1
                return self.err(30, "no network service"), None
        if u == "AT":
            return [], "OK"
        if u in ("ATE0", "ATE1", "ATE"):
            self.echo = u == "ATE1"
            return [], "OK"
        if u.startswith("AT+CMEE="):
            self.cmee = int(u.split("=")[1] or 0)
            return [], "OK"
        hw = self.a.profile == "huawei"
        if u == "AT+CGMI":
            return ["huawei" if hw else "Quectel"], "OK"
        if u == "AT+CGMM":
            return ["E3372" if hw else "EC25"], "OK"
        if u == "AT+CGMR":
            return ["22.315.01.00.00" if hw else "EC25EFAR06A06M4G"], "OK"
        if u == "AT+CGSN":
            return ["866000012345678"], "OK"
        if u == "AT+CPIN?":
            return [{"ready": "+CPIN: READY", "pin": "+CPIN: SIM PIN",
                     "puk": "+CPIN: SIM PUK"}[self.sim_state]], "OK"
        if u.startswith("AT+CPIN="):
            self.sim.counters["pin_attempts"] += 1
            given = c.split("=", 1)[1].strip().strip('"')
            if self.sim_state != "pin":
                return self.err(3, "operation not allowed"), None
            if given == self.a.pin:
                self.sim_state = "ready"
                self.pin_left = 3  # a correct PIN resets the SIM's counter
                self.schedule_reg()
                return [], "OK"
            self.pin_left -= 1
            if self.pin_left == 0:
                self.sim_state = "puk"
            return self.err(16, "incorrect password"), None
        if self.sim_state != "ready" and (u.startswith("AT+CG") or u.startswith("AT^NDIS")
                                          or u.startswith("AT+COPS")):
            return self.err(11, "SIM PIN required") if self.sim_state == "pin" else \
                self.err(12, "SIM PUK required"), None
        if u.startswith("AT+CEREG="):
            self.cereg_n = int(u.split("=")[1] or 0)
            return [], "OK"
        if u == "AT+CEREG?":
            if self.reg in (1, 5) and self.cereg_n >= 2:
                return [f'+CEREG: {self.cereg_n},{self.reg},"{TAC:04X}","{CI:08X}",7'], "OK"
            return [f"+CEREG: {self.cereg_n},{self.reg}"], "OK"
        if u.startswith("AT+CGEREP="):
            self.cgerep = u.split("=")[1].startswith(("1", "2"))
            return [], "OK"
        if u.startswith("AT+COPS="):
            return [], "OK"
        if u == "AT+COPS?":
            if self.reg in (1, 5):
                return ['+COPS: 0,0,"Telekom.de",7'], "OK"
            return ["+COPS: 0"], "OK"
        if u == "AT+CSQ":
            return ["+CSQ: 28,99" if self.reg in (1, 5) else "+CSQ: 99,99"], "OK"
        if u == "AT^HCSQ?" and hw:
            return ['^HCSQ: "LTE",63,58,131,21' if self.reg in (1, 5)
                    else '^HCSQ: "NOSERVICE"'], "OK"
        if u == "AT^SYSINFOEX" and hw:
            if self.reg in (1, 5):
                return ['^SYSINFOEX: 2,3,0,1,,6,"LTE",101,"LTE"'], "OK"
            return ['^SYSINFOEX: 0,0,0,1,,0,"",0,""'], "OK"
        if u.startswith("AT+CFUN="):
            v = u.split("=")[1].split(",")[0]
            self.sim.counters["cfun"] += 1
            if v == "0" or v == "4":
                self.cfun = 0
                self.bearer_down(0)
                self.set_reg(0)
            else:
                self.cfun = 1
                if self.sim_state == "ready":
                    self.schedule_reg()
            return [], "OK"
        if u == "AT+CFUN?":
            return [f"+CFUN: {self.cfun}"], "OK"
        if u.startswith("AT+CGDCONT="):
            parts = [p.strip().strip('"') for p in c.split("=", 1)[1].split(",")]
            try:
                cid = int(parts[0])
            except ValueError:
                return ["ERROR"] if self.cmee == 0 else self.err(50, "incorrect parameters"), None
            self.contexts[cid] = (parts[1].upper() if len(parts) > 1 else "IP",
                                  parts[2] if len(parts) > 2 else "")
            return [], "OK"
        if u == "AT+CGDCONT?":
            return [f'+CGDCONT: {cid},"{t}","{apn}"' for cid, (t, apn) in
                    sorted(self.contexts.items())], "OK"
        if u.startswith("AT+CGAUTH="):
            return [], "OK"
        if u.startswith("AT+CGACT=") and not hw:
            st, _, cid = u.split("=")[1].partition(",")
            cid = int(cid or 1)
            if st == "0":
                self.bearer_down(0, cid)
                return [], "OK"
            self.sim.counters["activations"] += 1
            if self.reg not in (1, 5):
                return self.err(30, "no network service"), None
            if self.contexts.get(cid, ("", ""))[1] not in self.a.apns:
                return self.err(33, "requested service option not subscribed"), None
            self.bearer_up(cid)
            return [], "OK"
        if u == "AT+CGACT?":
            return [f"+CGACT: {cid},{1 if self.bearer and cid == 1 else 0}"
                    for cid in sorted(self.contexts)], "OK"
        if u.startswith("AT^NDISDUP=") and hw:
            parts = [p.strip().strip('"') for p in c.split("=", 1)[1].split(",")]
            cid, up = int(parts[0]), parts[1] == "1"
            if not up:
                self.bearer_down(0, cid)
                return [], "OK"
            self.sim.counters["activations"] += 1
            apn = parts[2] if len(parts) > 2 else self.contexts.get(cid, ("", ""))[1]
            if cid not in self.contexts:
                self.contexts[cid] = ("IPV6", apn)
            t = self.contexts[cid][0]
            nt = "IPV4" if t == "IP" else t
            if self.reg not in (1, 5):
                self.sim.later(0.05, lambda: self.sim.urc(f'^NDISSTAT: 0,30,,"{nt}"'))
            elif apn not in self.a.apns:
                self.sim.later(0.05, lambda: self.sim.urc(f'^NDISSTAT: 0,33,,"{nt}"'))
            else:
                def up_now():
                    if self.reg in (1, 5):
                        self.bearer_up(cid)
                        self.sim.urc(f'^NDISSTAT: 1,,,"{self.ndis_type()}"')
                self.sim.later(self.a.attach_delay, up_now)
            return [], "OK"
        if u == "AT^NDISSTATQRY?" and hw:
            st = 1 if self.bearer else 0
            if self.bearer_type == "IPV4V6":
                return [f'^NDISSTATQRY: {st},,,"IPV4",{st},,,"IPV6"'], "OK"
            return [f'^NDISSTATQRY: {st},,,"{self.ndis_type()}"'], "OK"
        if u.startswith("AT+CGCONTRDP"):
            cid = int(u.partition("=")[2] or 1)
            return (self.contrdp(cid) if self.bearer else []), "OK"
        if u.startswith("AT+CGPADDR"):
            cid = int(u.partition("=")[2] or 1)
            if not self.bearer:
                return [f"+CGPADDR: {cid}"], "OK"
            t = self.bearer_type
            v6 = self.fmt6(self.a.ipv6)
            if t == "IPV6":
                return [f'+CGPADDR: {cid},"{v6}"'], "OK"
            if t == "IP":
                return [f'+CGPADDR: {cid},"{IPV4}"'], "OK"
            return [f'+CGPADDR: {cid},"{IPV4}","{v6}"'], "OK"
        return [], "COMMAND NOT SUPPORT" if hw else "ERROR"


class Sim:
    def __init__(self, args):
        self.args = args
        self.master = self.slave = None
        self.inbuf = b""
        self.outq = []          # (time, bytes) in time order
        self.timers = []        # (time, fn)
        self.stall = False
        self.split = args.split
        self.urcs_mid = args.urcs
        self.slow = 0.0
        self.fails = {}
        self.noterm = {}
        self.log = []
        self.rng = random.Random(7)
        self.counters = {"commands": 0, "pin_attempts": 0, "activations": 0, "attaches": 0,
                         "cfun": 0, "plugs": 0}
        self.modem = Modem(self)
        self.plug()

    # --- the pty ------------------------------------------------------------
    def plug(self):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no line discipline echo before lte-modemd sets raw
        os.set_blocking(self.master, False)
        name = os.ttyname(self.slave)
        tmp = self.args.link + ".tmp"
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        os.symlink(name, tmp)
        os.rename(tmp, self.args.link)
        self.counters["plugs"] += 1
        self.modem.reset()
        self.inbuf = b""
        self.outq = []

    def unplug(self):
        try:
            os.unlink(self.args.link)
        except FileNotFoundError:
            pass
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None
        self.modem.bearer = False
        self.write_status()

    # --- output -------------------------------------------------------------
    def send(self, data, delay=0.0):
        t = max(time.monotonic() + delay, self.outq[-1][0] if self.outq else 0)
        if self.split:
            i = 0
            while i < len(data):
                n = self.rng.randint(1, 5)
                self.outq.append((t, data[i:i + n]))
                t += 0.002
                i += n
        else:
            self.outq.append((t, data))

    def urc(self, text):
        self.send(b"\r\n" + text.encode() + b"\r\n")

    def later(self, delay, fn):
        self.timers.append((time.monotonic() + delay, fn))

    def noise_urc(self):
        if self.args.profile == "huawei":
            return self.rng.choice(['^RSSI: 28', '^HCSQ: "LTE",63,58,131,21', "^MODE: 17,17",
                                    "^DSFLOWRPT: 0000001E,00000000,00000000,0000000000000000,"
                                    "0000000000000000,0003E800,0003E800"])
        return self.rng.choice(['+QIND: "csq",28,99', '+QIND: "act","LTE"'])

    def respond(self, cmdline):
        echo = self.modem.echo  # ATE0 itself is still echoed
        info, final = self.modem.handle(cmdline.decode(errors="replace"))
        out = b""
        if echo:
            out += cmdline + b"\r\n"
        pieces = []
        for line in info:
            pieces.append(b"\r\n" + line.encode() + b"\r\n")
        if final is None:
            final_line = info and info.pop() or "ERROR"
            pieces = [b"\r\n" + i.encode() + b"\r\n" for i in info]
        else:
            final_line = final
        if self.urcs_mid:
            # a URC after the echo, between the information lines, before
            # the final result code
            mixed = []
            for p in pieces:
                mixed.append(b"\r\n" + self.noise_urc().encode() + b"\r\n")
                mixed.append(p)
            mixed.append(b"\r\n" + self.noise_urc().encode() + b"\r\n")
            pieces = mixed
        out += b"".join(pieces)
        u = cmdline.decode(errors="replace").strip().upper()
        for prefix, left in list(self.noterm.items()):
            if u.startswith(prefix) and left > 0:
                self.noterm[prefix] = left - 1
                self.send(out, self.slow)  # and no final result code
                return
        out += b"\r\n" + final_line.encode() + b"\r\n"
        self.send(out, self.slow)

    # --- status -------------------------------------------------------------
    def status(self):
        m = self.modem
        return {
            "plugged": self.master is not None, "registered": m.reg in (1, 5),
            "reg": m.reg, "sim": m.sim_state, "pin_left": m.pin_left, "cfun": m.cfun,
            "bearer": m.bearer, "bearer_type": m.bearer_type, "echo": m.echo,
            "ipv6": f"{self.args.ipv6}/64" if m.bearer and m.bearer_type != "IP" else None,
            "dns6": DNS6, "mtu": MTU, "counters": self.counters, "log": self.log[-60:],
        }

    def hook(self, cmd):
        if not cmd:
            return
        t = self.modem.bearer_type
        env = dict(os.environ,
                   LTE_IPV6=f"{self.args.ipv6}/64" if self.modem.bearer and t != "IP" else "",
                   LTE_IPV4=f"{IPV4}/24" if self.modem.bearer and t != "IPV6" else "",
                   LTE_DNS6=" ".join(DNS6), LTE_MTU=str(MTU))
        subprocess.run(cmd, shell=True, env=env, check=False, timeout=10)

    def write_status(self):
        if not self.args.status:
            return
        tmp = self.args.status + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.status(), f)
        os.rename(tmp, self.args.status)

    # --- control ------------------------------------------------------------
    def control(self, line):
        w = line.split()
        if not w:
            return {"error": "empty"}
        cmd, arg = w[0], w[1:]
        m = self.modem
        if cmd == "status":
            return self.status()
        if cmd == "drop":
            m.bearer_down(36)
        elif cmd == "deregister":
            m.reg_allowed = False
            m.set_reg(2)
        elif cmd == "register":
            m.reg_allowed = True
            if m.can_register():
                m.set_reg(1)
        elif cmd == "unplug":
            self.unplug()
        elif cmd == "plug":
            if self.master is None:
                self.plug()
        elif cmd == "stall":
            self.stall = arg[:1] != ["off"]
        elif cmd == "split":
            self.split = arg[:1] != ["off"]
        elif cmd == "urcs":
            self.urcs_mid = arg[:1] != ["off"]
        elif cmd == "slow":
            self.slow = int(arg[0]) / 1000.0
        elif cmd == "fail":
            self.fails[arg[0].upper()] = int(arg[1])
        elif cmd == "noterm":
            self.noterm[arg[0].upper()] = int(arg[1])
        elif cmd == "garbage":
            n = int(arg[0])
            junk = bytes(self.rng.choice([0, 0xff, 0x1b, 0x80, 0x41, 0x22, 0x2c, 0x3a])
                         for _ in range(n))
            self.send(junk + b"\r\n")
        elif cmd == "oversize":
            self.send(b"+CEREG: " + b"9" * int(arg[0]) + b"\r\n")
        elif cmd == "flood":
            for i in range(int(arg[0])):
                self.urc(self.noise_urc())
        elif cmd == "quit":
            self.quit = True
        else:
            return {"error": f"unknown command {cmd}"}
        return {"ok": True}

    # --- loop ---------------------------------------------------------------
    def run(self):
        srv = None
        if self.args.control:
            try:
                os.unlink(self.args.control)
            except FileNotFoundError:
                pass
            srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            srv.bind(self.args.control)
            srv.listen(8)
        self.quit = False
        self.write_status()
        print(f"modemsim: {self.args.profile} modem at {self.args.link}", flush=True)
        while not self.quit:
            now = time.monotonic()
            due = [t for t in self.timers if t[0] <= now]
            self.timers = [t for t in self.timers if t[0] > now]
            for _, fn in due:
                fn()
            self.modem.tick(now)
            while self.outq and self.outq[0][0] <= now and self.master is not None:
                data = self.outq[0][1]
                try:
                    n = os.write(self.master, data)
                except BlockingIOError:
                    n = 0
                except OSError:
                    n = len(data)
                if n < len(data):
                    # nobody reading: the stale output is lost, as on a
                    # real port
                    self.outq.pop(0)
                    break
                self.outq.pop(0)
            if self.master is None:
                self.outq = []
            nexts = [t for t, _ in self.outq[:1]] + [t for t, _ in self.timers]
            if self.modem.want_reg_at:
                nexts.append(self.modem.want_reg_at)
            timeout = max(0.0, min(nexts) - time.monotonic()) if nexts else 0.5
            rl = [srv] if srv else []
            if self.master is not None:
                rl.append(self.master)
            r, _, _ = select.select(rl, [], [], min(timeout, 0.5))
            if self.master is not None and self.master in r:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    data = b""
                if not self.stall:
                    self.inbuf += data
                    while b"\r" in self.inbuf:
                        line, _, self.inbuf = self.inbuf.partition(b"\r")
                        line = line.strip(b"\n")
                        if line:
                            self.respond(line)
                    self.inbuf = self.inbuf[-4096:]
            if srv and srv in r:
                conn, _ = srv.accept()
                conn.settimeout(2)
                try:
                    req = b""
                    while not req.endswith(b"\n"):
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        req += chunk
                    reply = self.control(req.decode().strip())
                    conn.sendall(json.dumps(reply).encode() + b"\n")
                except OSError:
                    pass
                conn.close()
        self.unplug()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--link", required=True, help="symlink to create to the pty's slave")
    ap.add_argument("--profile", choices=("huawei", "3gpp"), default="huawei")
    ap.add_argument("--control", help="UNIX socket for test commands")
    ap.add_argument("--status", help="JSON status file, rewritten on bearer changes")
    ap.add_argument("--pin", help="the SIM is locked with this PIN")
    ap.add_argument("--ipv6", default=DEFAULT_IPV6, help="address of the LTE bearer")
    ap.add_argument("--apn", dest="apns", action="append",
                    help="APN the network accepts (repeatable; default hybrid.telekom)")
    ap.add_argument("--reg-delay", type=float, default=0.2, help="seconds to register")
    ap.add_argument("--attach-delay", type=float, default=0.2, help="seconds to bring up a bearer")
    ap.add_argument("--on-up", help="shell command run when the bearer comes up")
    ap.add_argument("--on-down", help="shell command run when the bearer goes down")
    ap.add_argument("--split", action="store_true", help="write responses in small pieces")
    ap.add_argument("--urcs", action="store_true", help="URCs in the middle of responses")
    args = ap.parse_args()
    args.apns = args.apns or ["hybrid.telekom"]
    Sim(args).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
