import type { DatasetName } from '../../../src-shared/names.js';
import { IDX_FILES } from './formats.js';

/** A file to download: mirrors tried in order, and the MD5 the bytes must have. */
export interface RemoteFile {
  name: string;
  urls: readonly string[];
  md5: string;
}

function idxDownloads(bases: readonly string[], md5: Record<keyof typeof IDX_FILES, string>): RemoteFile[] {
  return (Object.keys(IDX_FILES) as Array<keyof typeof IDX_FILES>).map((role) => {
    const name = `${IDX_FILES[role]}.gz`;
    return { name, urls: bases.map((base) => base + name), md5: md5[role] };
  });
}

/**
 * The publishers' files and checksums. MNIST's MD5s are those of the original LeCun files, which
 * the PyTorch mirror serves unchanged; Fashion-MNIST's are upstream's (Debian's recompressed
 * copies differ, see platform-notes.md); CIFAR's are the ones on the Toronto page.
 */
export const OFFICIAL_DOWNLOADS: Record<DatasetName, readonly RemoteFile[]> = {
  mnist: idxDownloads(['https://ossci-datasets.s3.amazonaws.com/mnist/'], {
    trainImages: 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    trainLabels: 'd53e105ee54ea40749a09fcbcd1e9432',
    testImages: '9fb629c4189551a2d022fa330f9573f3',
    testLabels: 'ec29112dd5afa0611ce80d1b7f02629c',
  }),
  'fashion-mnist': idxDownloads(
    [
      'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
      // Zalando's S3 website endpoint serves plain HTTP only; the MD5 check covers the transport.
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    ],
    {
      trainImages: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
      trainLabels: '25c81989df183df01b3e8a0aad5dffbe',
      testImages: 'bef4ecab320f06d8554ea6380940ec79',
      testLabels: 'bb300cfdad3c16e7a12a480ee83cd310',
    },
  ),
  cifar10: [
    {
      name: 'cifar-10-binary.tar.gz',
      urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'],
      md5: 'c32a1d4ab5d03f1284b67883e8d87530',
    },
  ],
  cifar100: [
    {
      name: 'cifar-100-binary.tar.gz',
      urls: ['https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz'],
      md5: '03b5dce01913d631647c71ecec9e9cb8',
    },
  ],
};
