export { classColor } from '../../../src-shared/domain/class-colors';
