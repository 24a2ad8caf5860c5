using GenLab.Models.Data;
using GenLab.Models.Images;

namespace GenLab.Models.Tests.Images;

public sealed class DigitImagesTests
{
    /// <summary>The faces every course machine has: a fixture never draws from "every installed font", whose set
    /// changes with the packages installed (chromium pulls in Noto and Liberation).</summary>
    internal static readonly DigitStyle DejaVu = new() { Fonts = ["DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"] };

    [Theory]
    [InlineData(16)]
    [InlineData(28)]
    [InlineData(32)]
    [InlineData(64)]
    public void Render_SameGeneratorState_GivesIdenticalGrayPixels_InUnitRange(int size)
    {
        for (int digit = 0; digit < 10; digit++)
        {
            var a = DigitImages.Render(digit, size, new SplitMix64(7), DejaVu);
            var b = DigitImages.Render(digit, size, new SplitMix64(7), DejaVu);
            Assert.Equal((size, size, 1), (a.Width, a.Height, a.Channels));
            Assert.Equal(a.Pixels, b.Pixels);
            Assert.All(a.Pixels, v => Assert.InRange(v, 0f, 1f));
        }
    }

    [Theory]
    [InlineData(15)]
    [InlineData(65)]
    public void Render_SizeOutsideTheRange_Throws(int size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DigitImages.Render(3, size, new SplitMix64(1), DejaVu));

    [Fact]
    public void Render_IsAWhiteDigitOnBlack_InsideTheFrame()
    {
        var style = DejaVu with { MaxShift = 0.25, MaxScale = 0.9 };
        var rng = new SplitMix64(3);
        for (int i = 0; i < 40; i++)
        {
            var image = DigitImages.Render(i % 10, 28, rng, style);
            Assert.True(image.Pixels.Max() > 0.95f, "some ink at full white");
            Assert.InRange(image.Pixels.Average(), 0.03, 0.45);
            // The 1-pixel margin stays black: the digit is never cut by the frame.
            for (int k = 0; k < 28; k++)
            {
                Assert.Equal(0f, image[0, 0, k]);
                Assert.Equal(0f, image[0, 27, k]);
                Assert.Equal(0f, image[0, k, 0]);
                Assert.Equal(0f, image[0, k, 27]);
            }
        }
    }

    [Fact]
    public void Dataset_IsBalanced_Shuffled_AndDeterministicPerSeed()
    {
        var (images, labels) = DigitImages.Dataset(countPerDigit: 4, size: 20, seed: 42, DejaVu);
        Assert.Equal(40, images.Count);
        Assert.All(Enumerable.Range(0, 10), d => Assert.Equal(4, labels.Count(l => l == d)));
        Assert.NotEqual(Enumerable.Range(0, 10).SelectMany(d => Enumerable.Repeat(d, 4)), labels);

        var (again, againLabels) = DigitImages.Dataset(4, 20, 42, DejaVu);
        Assert.Equal(labels, againLabels);
        for (int i = 0; i < images.Count; i++) Assert.Equal(images[i].Pixels, again[i].Pixels);

        var (other, otherLabels) = DigitImages.Dataset(4, 20, 43, DejaVu);
        Assert.NotEqual(labels, otherLabels);
        Assert.NotEqual(images[0].Pixels, other[0].Pixels);
    }

    [Fact]
    public void Dataset_ClassMeansDiffer_AndTellTheDigitsApart()
    {
        // Mean image per digit from one set; every pair of means is far apart, and a fresh set is classified by its
        // nearest class mean far above chance (0.1): the classes are distinct shapes, not noise.
        const int size = 28, plane = size * size;
        var (images, labels) = DigitImages.Dataset(30, size, seed: 1, DejaVu);
        var means = new double[10, plane];
        for (int i = 0; i < images.Count; i++)
            for (int p = 0; p < plane; p++) means[labels[i], p] += images[i].Pixels[p] / 30.0;

        double Distance(int a, Func<int, double> pixel)
        {
            double d = 0;
            for (int p = 0; p < plane; p++) d += (means[a, p] - pixel(p)) * (means[a, p] - pixel(p));
            return Math.Sqrt(d);
        }
        for (int a = 0; a < 10; a++)
            for (int b = a + 1; b < 10; b++)
                Assert.True(Distance(a, p => means[b, p]) > 2.0, $"mean images of {a} and {b} are too close");

        var (test, testLabels) = DigitImages.Dataset(10, size, seed: 2, DejaVu);
        int correct = Enumerable.Range(0, test.Count)
            .Count(i => Enumerable.Range(0, 10).MinBy(c => Distance(c, p => test[i].Pixels[p])) == testLabels[i]);
        Assert.True(correct / (double)test.Count > 0.6, $"nearest class mean: {correct}/{test.Count}");
    }

    [Fact]
    public void Noise_ChangesPixels_Deterministically()
    {
        var clean = DigitImages.Render(8, 32, new SplitMix64(5), DejaVu);
        var noisy = DigitImages.Render(8, 32, new SplitMix64(5), DejaVu with { NoiseStd = 0.1 });
        var again = DigitImages.Render(8, 32, new SplitMix64(5), DejaVu with { NoiseStd = 0.1 });
        Assert.Equal(noisy.Pixels, again.Pixels);
        Assert.True(noisy.Pixels.Zip(clean.Pixels).Count(p => p.First != p.Second) > 32 * 32 / 3);
    }

    [Fact]
    public void InstalledFaces_AreOrderedAndHaveNames()
    {
        var faces = DigitImages.InstalledFaces;
        Assert.NotEmpty(faces);
        Assert.Equal(faces.Select(f => f.Family).Order(StringComparer.Ordinal), faces.Select(f => f.Family));
        Assert.All(faces, f => Assert.StartsWith(f.Family, f.Name));
    }

    [Fact]
    public void Faces_NamedFamily_KeepsOnlyIt_IgnoringCase()
    {
        string family = DigitImages.InstalledFaces[0].Family;
        var faces = DigitImages.Faces([family.ToUpperInvariant()]);
        Assert.NotEmpty(faces);
        Assert.All(faces, f => Assert.Equal(family, f.Family));
    }

    [Fact]
    public void Faces_UnknownFamily_NamesItAndWhatIsInstalled()
    {
        var error = Assert.Throws<ArgumentException>(() => DigitImages.Faces(["Comic Sans Nowhere"]));
        Assert.Contains("'Comic Sans Nowhere' is not installed", error.Message);
        Assert.Contains(DigitImages.InstalledFaces[0].Family, error.Message);
    }

    [Fact]
    public void DejaVu_OnACourseMachine_GivesSansSerifAndMonoWithBoldAndCondensed()
    {
        // Course machines ship the DejaVu family (../shared/notes/machine.md); elsewhere there is nothing to check.
        if (!DigitImages.InstalledFaces.Any(f => f.Family == "DejaVu Sans")) return;
        var names = DigitImages.Faces(["DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"]).Select(f => f.Name).ToList();
        Assert.Contains("DejaVu Sans", names);
        Assert.Contains("DejaVu Sans Bold", names);
        Assert.Contains("DejaVu Sans Condensed", names);
        Assert.Contains("DejaVu Serif Bold Italic", names);
        Assert.Contains("DejaVu Sans Mono", names);
    }

    [Fact]
    public void Style_Validate_NamesEachBadKey()
    {
        var style = new DigitStyle { Fonts = [""], MaxRotation = 90, MinScale = 0.8, MaxScale = 0.7, MaxStroke = -1, NoiseStd = 2 };
        Assert.Equal(["fonts", "max_rotation", "max_scale", "max_stroke", "noise_std"], style.Validate().Select(i => i.Key));
        Assert.Throws<ArgumentException>(() => DigitImages.Render(1, 28, new SplitMix64(1), style));
        Assert.Empty(new DigitStyle().Validate());
    }
}
