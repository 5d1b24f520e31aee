"""Draw images/example.png, the sample's input picture: a 320x240 landscape made of simple
shapes, so the repository carries no third-party image. Run once with Debian's Python
(/usr/bin/python3 scripts/make_example_image.py); the PNG is committed.
"""
import pathlib

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 320, 240


def main():
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):
        # Sky from deep to pale blue, top to bottom.
        shade = y / HEIGHT
        draw.line([(0, y), (WIDTH, y)], fill=(int(40 + 150 * shade), int(90 + 130 * shade), 230))
    draw.ellipse([230, 25, 290, 85], fill=(255, 210, 60))
    draw.polygon([(0, 170), (90, 110), (200, 175), (320, 120), (320, 240), (0, 240)], fill=(50, 140, 60))
    draw.rectangle([120, 150, 170, 200], fill=(180, 60, 40))
    draw.polygon([(112, 150), (145, 120), (178, 150)], fill=(90, 40, 30))
    output = pathlib.Path(__file__).resolve().parent.parent / "images" / "example.png"
    image.save(output, optimize=True)
    print(f"make_example_image: wrote {output}")


if __name__ == "__main__":
    main()
