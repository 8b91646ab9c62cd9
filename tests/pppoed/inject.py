"""Sends raw Ethernet frames (hex on the command line) out of an interface:
   inject.py IFACE HEX [HEX...]   (run inside the namespace)"""
import socket
import sys

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for h in sys.argv[2:]:
    s.send(bytes.fromhex(h))
