#!/usr/bin/python3
"""Renders a `tmux capture-pane -e -p` capture (text with SGR colour escapes) to a PNG.

usage: render-screenshot.py CAPTURE.ansi OUTPUT.png COLUMNS ROWS
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

PALETTE = [
    (40, 42, 54), (255, 85, 85), (80, 250, 123), (241, 250, 140),
    (98, 114, 164), (255, 121, 198), (139, 233, 253), (248, 248, 242),
    (98, 114, 164), (255, 110, 110), (105, 255, 148), (255, 255, 165),
    (130, 150, 210), (255, 146, 223), (164, 255, 255), (255, 255, 255),
]
FOREGROUND = (230, 230, 225)
BACKGROUND = (30, 31, 40)
FONT_DIR = "/usr/share/fonts/truetype/dejavu/"


def xterm_256(index):
    if index < 16:
        return PALETTE[index]
    if index < 232:
        index -= 16
        levels = [0, 95, 135, 175, 215, 255]
        return (levels[index // 36], levels[(index // 6) % 6], levels[index % 6])
    grey = 8 + (index - 232) * 10
    return (grey, grey, grey)


def parse(text, columns, rows):
    """Returns rows of cells (char, fg, bg, bold, dim)."""
    grid = [[(" ", None, None, False, False) for _ in range(columns)] for _ in range(rows)]
    fg = bg = None
    bold = dim = reverse = False
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        for token in re.split(r"(\x1b\[[0-9;]*m)", line):
            if token.startswith("\x1b["):
                codes = [int(c) if c else 0 for c in token[2:-1].split(";")]
                i = 0
                while i < len(codes):
                    c = codes[i]
                    if c == 0:
                        fg = bg = None
                        bold = dim = reverse = False
                    elif c == 1:
                        bold = True
                    elif c == 2:
                        dim = True
                    elif c == 7:
                        reverse = True
                    elif c == 22:
                        bold = dim = False
                    elif c == 27:
                        reverse = False
                    elif 30 <= c <= 37:
                        fg = PALETTE[c - 30]
                    elif 90 <= c <= 97:
                        fg = PALETTE[c - 90 + 8]
                    elif 40 <= c <= 47:
                        bg = PALETTE[c - 40]
                    elif 100 <= c <= 107:
                        bg = PALETTE[c - 100 + 8]
                    elif c == 39:
                        fg = None
                    elif c == 49:
                        bg = None
                    elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                        colour = xterm_256(codes[i + 2])
                        if c == 38:
                            fg = colour
                        else:
                            bg = colour
                        i += 2
                    i += 1
                continue
            for ch in token:
                if x >= columns:
                    break
                cell_fg, cell_bg = fg, bg
                if reverse:
                    cell_fg, cell_bg = (bg or BACKGROUND), (fg or FOREGROUND)
                grid[y][x] = (ch, cell_fg, cell_bg, bold, dim)
                x += 1
    return grid


def render(grid, path):
    size = 16
    regular = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", size)
    heavy = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", size)
    left, top, right, bottom = regular.getbbox("M")
    cell_w = regular.getlength("M")
    cell_h = int(size * 1.35)
    pad = 14
    rows, columns = len(grid), len(grid[0])
    image = Image.new("RGB", (int(cell_w * columns) + 2 * pad, cell_h * rows + 2 * pad), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(grid):
        for x, (ch, fg, bg, bold, dim) in enumerate(row):
            px, py = pad + x * cell_w, pad + y * cell_h
            if bg is not None:
                draw.rectangle([px, py, px + cell_w + 0.5, py + cell_h], fill=bg)
            if ch == " ":
                continue
            colour = fg or FOREGROUND
            if dim:
                colour = tuple(int(c * 0.6 + b * 0.4) for c, b in zip(colour, bg or BACKGROUND))
            if ch in "─│┌┐└┘":
                mid_x, mid_y = px + cell_w / 2, py + cell_h / 2
                if ch in "─┌┐└┘":
                    x0 = mid_x if ch in "┌└" else px
                    x1 = mid_x if ch in "┐┘" else px + cell_w
                    draw.line([x0, mid_y, x1, mid_y], fill=colour, width=1)
                if ch in "│┌┐└┘":
                    y0 = mid_y if ch in "┌┐" else py
                    y1 = mid_y if ch in "└┘" else py + cell_h
                    draw.line([mid_x, y0, mid_x, y1], fill=colour, width=1)
                continue
            draw.text((px, py + (cell_h - size) / 2 - top / 2), ch, font=heavy if bold else regular, fill=colour)
    image.save(path)


if __name__ == "__main__":
    source, output, columns, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(source, encoding="utf-8") as handle:
        render(parse(handle.read(), columns, rows), output)
