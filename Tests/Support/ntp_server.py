"""A tiny SNTP server for tests: answers every request with its clock shifted by --offset seconds.

Prints `PORT <n>` when listening on 127.0.0.1 and exits after --requests answers or on stdin EOF.
"""
import argparse, os, socket, struct, sys, threading, time

NTP_EPOCH = 2_208_988_800


def ntp_time(t):
    seconds = t + NTP_EPOCH
    return struct.pack("!II", int(seconds), int((seconds % 1) * 2**32))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--offset", type=float, default=0.0)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    threading.Thread(target=lambda: (os.read(0, 1), os._exit(0)), daemon=True).start()
    for _ in range(args.requests):
        data, peer = sock.recvfrom(512)
        received = time.time() + args.offset
        if len(data) < 48:
            continue
        reply = bytearray(48)
        reply[0] = 0x1C  # version 3, mode 4 (server)
        reply[1] = 2  # stratum
        reply[24:32] = data[40:48]  # originate = client's transmit
        reply[32:40] = ntp_time(received)
        reply[40:48] = ntp_time(time.time() + args.offset)
        sock.sendto(bytes(reply), peer)


if __name__ == "__main__":
    main()
