// Missing images: which links of a Markdown or HTML text could be generated, the prompt a link
// stands for, and where an image of another format goes.
import assert from 'node:assert/strict';
import { fileForFormat, imageLinks, linkTargetFile, MAX_LINKS_READ, promptOfLink, renamedLink } from '../../../src/core/missingImages';

describe('image links that could be generated', () => {
  it('finds Markdown images with relative, rooted and <bracketed> paths, with their exact offsets', () => {
    const text = [
      '# Page',
      '![A red bicycle leaning on a wall](img/bike.png)',
      '![](<my images/The Fox_2.JPG> "a title")',
      '![logo](https://example.com/logo.png) ![data](data:image/png;base64,xx) ![doc](notes.pdf) ![anchor](#x.png)',
      '![rooted](/assets/hero.webp) ![escaped \\] alt](a%20b.jpeg)',
    ].join('\n');
    const links = imageLinks(text, 'markdown');
    assert.deepEqual(
      links.map((l) => [l.target, l.alt, text.slice(l.start, l.end)]),
      [
        ['img/bike.png', 'A red bicycle leaning on a wall', 'img/bike.png'],
        ['my images/The Fox_2.JPG', '', 'my images/The Fox_2.JPG'],
        ['/assets/hero.webp', 'rooted', '/assets/hero.webp'],
        ['a b.jpeg', 'escaped ] alt', 'a%20b.jpeg'],
      ],
    );
    assert.equal(text.slice(links[0]!.whole.start, links[0]!.whole.end), '![A red bicycle leaning on a wall](img/bike.png)');
    assert.equal(text.slice(links[1]!.whole.start, links[1]!.whole.end), '![](<my images/The Fox_2.JPG> "a title")');
  });

  it('finds <img> tags in HTML (and inline in Markdown), with entities in the alt undone', () => {
    const text = '<p><img class="x" src="img/cat.png" alt="A cat &amp; a dog"></p>\n<IMG SRC=\'pics/owl.webp\'>\n<img src="https://x/y.png">';
    for (const kind of ['html', 'markdown'] as const) {
      const links = imageLinks(text, kind);
      assert.deepEqual(
        links.map((l) => [l.target, l.alt, text.slice(l.start, l.end), l.kind]),
        [
          ['img/cat.png', 'A cat & a dog', 'img/cat.png', 'html'],
          ['pics/owl.webp', '', 'pics/owl.webp', 'html'],
        ],
      );
      assert.equal(text.slice(links[0]!.whole.start, links[0]!.whole.end), '<img class="x" src="img/cat.png" alt="A cat &amp; a dog">');
    }
  });

  it('reads at most MAX_LINKS_READ links of a huge document', () => {
    const text = Array.from({ length: MAX_LINKS_READ + 50 }, (_, i) => `![x](a${i}.png)`).join('\n');
    assert.equal(imageLinks(text, 'markdown').length, MAX_LINKS_READ);
  });

  it('resolves a link from the document, or from the workspace folder for /…', () => {
    const [relative, rooted] = imageLinks('![a](../img/a.png) ![b](/img/b.png)', 'markdown');
    assert.equal(linkTargetFile(relative!, '/ws/docs/page.md', '/ws'), '/ws/img/a.png');
    assert.equal(linkTargetFile(rooted!, '/ws/docs/page.md', '/ws'), '/ws/img/b.png');
  });

  it('uses the alt text as the prompt, else the file name in words', () => {
    assert.equal(promptOfLink({ alt: 'A red bicycle leaning on a wall', target: 'img/bike.png' }), 'A red bicycle leaning on a wall');
    assert.equal(promptOfLink({ alt: '', target: 'img/red-bicycle_on.the-wall.png' }), 'red bicycle on the wall');
    assert.equal(promptOfLink({ alt: '', target: 'heroBanner.webp' }), 'hero Banner');
  });

  it('keeps the target when the format matches (jpg and jpeg alike), else the true extension beside it', () => {
    assert.deepEqual(fileForFormat('/ws/img/bike.png', '.png'), { file: '/ws/img/bike.png', renamed: false });
    assert.deepEqual(fileForFormat('/ws/img/bike.JPEG', '.jpg'), { file: '/ws/img/bike.JPEG', renamed: false });
    assert.deepEqual(fileForFormat('/ws/img/bike.jpg', '.png'), { file: '/ws/img/bike.png', renamed: true });
    assert.equal(renamedLink('img/bike.jpg', 'bike.png'), 'img/bike.png');
    assert.equal(renamedLink('bike.png', 'bike-2.png'), 'bike-2.png');
    assert.equal(renamedLink('my%20images/a.png', 'a (2).png'), 'my%20images/a%20%282%29.png');
    assert.equal(renamedLink('my images/a.png', 'a 2.png'), 'my images/a 2.png', 'written with raw spaces (<…>): kept raw');
  });
});
